"""The managers' morning digest and the monthly report DM: once each, at their local time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slackops.operations.digests import first_working_day
from slackops.requests import Event
from tests.workers.conftest import notices

ROME = ZoneInfo("Europe/Rome")


def rome(d: int, h: int, m: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, d, h, m, tzinfo=ROME)


def dms(desk, user: str) -> list[str]:
    desk.settle()
    return [m["text"] for m in notices(desk.fake, "D" + user[1:])]


def test_first_working_day():
    assert first_working_day(date(2026, 12, 15)) == date(2026, 12, 1)  # a Tuesday
    assert first_working_day(date(2026, 11, 20)) == date(2026, 11, 2)  # the 1st is a Sunday
    assert first_working_day(date(2026, 8, 3)) == date(2026, 8, 3)  # Sat 1, Sun 2


def test_daily_and_monthly_dms_fire_once_at_their_local_times(desk, ops):
    desk.config.digest_timezone = "Europe/Rome"
    desk.config.digest_at = "08:30"
    store = desk.store
    # November: one P2 resolved (for the monthly report); now: an open P1 escalated, not acknowledged
    old = store.open("acme", title="November thing", priority="P2", submitted_by="U0ACME1", now=rome(10, 10, month=11))
    store.apply(old.id, Event("resolved", "U0AGENT1", rome(11, 10, month=11), {"resolution": "fix", "note": ""}))
    p1 = store.open("acme", title="All <down>", priority="P1", submitted_by="U0ACME1", now=rome(1, 7))
    store.apply(p1.id, Event("escalated", "policy", rome(1, 7, 5), {"level": 1, "by": "policy", "reason": "ladder"}))
    assert ops.tick(rome(1, 8, 29)) == 0  # before 08:30 in Rome: nothing
    assert dms(desk, "U0MGR1") == []
    ops.tick(rome(1, 8, 30))
    ops.tick(rome(1, 8, 31))
    ops.tick(rome(1, 12, 0))
    mgr = dms(desk, "U0MGR1")
    assert len(mgr) == 2, mgr  # the digest and, on the month's first working day, November's report
    digest = next(t for t in mgr if t.startswith("*Support digest for Tuesday 01 December 2026*"))
    assert "*Open requests by priority*: acme P1: 1" in digest
    assert "*Escalations awaiting acknowledgement* (1)" in digest and f"{p1.id} level 1 — All &lt;down&gt;" in digest
    # Interopion P1: the critical notice is due 4 h after 07:00, today
    assert "*Due today*" in digest and f"{p1.id} critical_notice at <!date^" in digest and "{time}|11:00 CET>" in digest
    monthly = next(t for t in mgr if t.startswith("*Monthly SLA report, 2026-11*"))
    assert "SLA report 2026-11: 2 requests" in monthly and "acme" in monthly
    assert len(dms(desk, "U0DIR1")) == 1 and len(dms(desk, "U0EXEC1")) == 1  # managers get the digest only
    # the next working morning: a digest again, no monthly report
    ops.tick(rome(2, 8, 30))
    ops.tick(rome(2, 9, 30))
    assert len(dms(desk, "U0MGR1")) == 3 and len(dms(desk, "U0DIR1")) == 2
    # Saturday: nothing
    ops.tick(rome(5, 9, 0))
    assert len(dms(desk, "U0DIR1")) == 2
    # a worker back after a morning away sends the day's digest late, once
    ops.tick(rome(7, 15, 0) + timedelta(seconds=1))
    ops.tick(rome(7, 16, 0))
    assert len(dms(desk, "U0DIR1")) == 3


def test_no_dms_unless_digest_at_is_set(desk, ops):
    assert desk.config.digest_at is None
    ops.tick(rome(1, 9))
    assert dms(desk, "U0MGR1") == [] and dms(desk, "U0DIR1") == []
