"""Uptime and credits: a Comensure month with two overlapping downtimes and a maintenance."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from slackops.cli import main
from slackops.config import Settings
from slackops.errors import DomainError
from slackops.operations.cli import uptime_months
from slackops.operations.records import MaintenanceBook
from slackops.operations.uptime import merge, subtract
from slackops.requests import Event, RequestStore
from slackops.requests.redis_server import connect
from tests.requests.helpers import config

NY = ZoneInfo("America/New_York")
AFTER = datetime(2026, 12, 3, 12, tzinfo=NY)  # the report is run in December


def ny(d: int, h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, d, h, m, tzinfo=NY)


def seed(store: RequestStore, book: MaintenanceBook) -> dict[str, str]:
    """Acme (Comensure, New York) in November 2026 (DST ended on the 1st: the month has 43,260 minutes)."""
    ids = {}
    # two P1s (unavailable by default) overlapping: 10:00-16:00 and 13:00-20:00 on the 10th
    a = store.open("acme", title="Site down", priority="P1", submitted_by="U0ACME1", now=ny(10, 10))
    b = store.open("acme", title="API down", priority="P1", submitted_by="U0ACME1", now=ny(10, 13))
    store.apply(a.id, Event("resolved", "U0AGENT1", ny(10, 16), {"resolution": "fix", "note": ""}))
    store.apply(b.id, Event("resolved", "U0AGENT1", ny(10, 20), {"resolution": "fix", "note": ""}))
    # a P2 marked degraded does not count; a P3 marked unavailable does (25th, 09:00-09:45)
    c = store.open("acme", title="Slow", priority="P2", submitted_by="U0ACME1", now=ny(12, 9))
    store.apply(c.id, Event("service_affected", "U0AGENT1", ny(12, 9, 5), {"impact": "degraded"}))
    store.apply(c.id, Event("resolved", "U0AGENT1", ny(12, 18), {"resolution": "fix", "note": ""}))
    d = store.open("acme", title="Login", priority="P3", submitted_by="U0ACME1", now=ny(25, 9))
    store.apply(d.id, Event("service_affected", "U0AGENT1", ny(25, 9, 1), {"impact": "unavailable"}))
    store.apply(d.id, Event("resolved", "U0AGENT1", ny(25, 9, 45), {"resolution": "fix", "note": ""}))
    # a P1 that began on 31 Oct 23:00 and ended 1 Nov 01:00 EDT: only November's hour counts
    e = store.open("acme", title="Overnight", priority="P1", submitted_by="U0ACME1",
                   now=datetime(2026, 10, 31, 23, tzinfo=NY))
    store.apply(e.id, Event("resolved", "U0AGENT1", datetime(2026, 11, 1, 1, tzinfo=NY), {"resolution": "fix", "note": ""}))
    # scheduled maintenance 18:00-22:00 on the 10th takes 18:00-20:00 out of the merged downtime
    book.add(start=ny(10, 18), end=ny(10, 22), now=ny(3, 12), accounts=["acme"])
    # a cancelled maintenance over the 25th's outage takes nothing out
    m = book.add(start=ny(25, 8), end=ny(25, 10), now=ny(3, 12), accounts=["acme"])
    book.cancel(m.id, now=ny(4, 12))
    ids.update(a=a.id, b=b.id, c=c.id, d=d.id, e=e.id)
    return ids


@pytest.fixture
def books(redis, namespace):
    cfg = config()
    store = RequestStore(redis, cfg, prefix=namespace)
    book = MaintenanceBook(redis, cfg, store.policy, namespace)
    return store, book, cfg


def test_merge_and_subtract():
    t = datetime(2026, 1, 1, tzinfo=NY)
    h = timedelta(hours=1)
    merged = merge([(t, t + 2 * h, ("A",), False), (t + h, t + 3 * h, ("B",), False), (t + 5 * h, t + 6 * h, ("C",), False)])
    assert [(d.start, d.end, d.requests) for d in merged] == [(t, t + 3 * h, ("A", "B")), (t + 5 * h, t + 6 * h, ("C",))]
    left, taken = subtract(merged, [(t + 2 * h, t + 5 * h + 30 * timedelta(minutes=1))])
    assert [(d.start, d.end) for d in left] == [(t, t + 2 * h), (t + 5 * h + timedelta(minutes=30), t + 6 * h)]
    assert taken == 90


def test_comensure_month_exact_uptime_and_credit(books):
    store, book, cfg = books
    ids = seed(store, book)
    [m] = uptime_months(store, book, cfg, "acme", "2026-11", AFTER)
    period = 30 * 24 * 60 + 60  # November 2026 in New York: 30 days and the hour DST gave back
    down = 60 + (10 - 2) * 60 + 45  # 1 Nov 00:00-01:00, 10th 10:00-20:00 less 18:00-20:00, 25th 45 min
    assert m.period_minutes == period and m.downtime_minutes == down
    assert m.excluded_minutes == 120
    assert m.uptime_percent == pytest.approx(100 * (period - down) / period, abs=1e-12)
    assert round(m.uptime_percent, 4) == 98.6477  # 42,675 of 43,260 minutes
    assert (m.target_percent, m.met, m.credit_percent, m.credit_default) == (99, False, 5, True)
    assert [d.requests for d in m.downtime] == [(ids["e"],), (ids["a"], ids["b"]), (ids["d"],)]
    # an agent corrects the 25th's outage: it began at 08:30 (a reason is required; the history keeps it)
    with pytest.raises(DomainError, match="say why"):
        store.apply(ids["d"], Event("downtime_corrected", "U0AGENT1", AFTER, {"start": ny(25, 8, 30).isoformat()}))
    store.apply(ids["d"], Event("downtime_corrected", "U0AGENT1", AFTER,
                                {"start": ny(25, 8, 30).isoformat(), "reason": "monitoring saw it first"}))
    assert store.history(ids["d"])[-1].data["reason"] == "monitoring saw it first"
    [m2] = uptime_months(store, book, cfg, "acme", "2026-11", AFTER)
    assert m2.downtime_minutes == down + 30 and m2.downtime[-1].corrected


def test_a_month_in_progress_and_bad_input(books):
    store, book, cfg = books
    a = store.open("acme", title="Down", priority="P1", submitted_by="U0ACME1", now=ny(20, 12))
    [m] = uptime_months(store, book, cfg, "acme", "2026-11", ny(20, 13))
    assert m.partial and m.downtime_minutes == 60  # still open: until now
    assert m.period_minutes == (19 * 24 + 13 + 1) * 60  # to now, with the extra hour of 1 November
    assert a.id
    from slackops.errors import SlackopsError

    with pytest.raises(SlackopsError, match="not a month"):
        uptime_months(store, book, cfg, "acme", "2026-13", AFTER)
    with pytest.raises(SlackopsError, match="not an account"):
        uptime_months(store, book, cfg, "nobody", "2026-11", AFTER)


def test_uptime_cli(tmp_path, monkeypatch, namespace, capsys):
    cfg_file = tmp_path / "slackops.yml"
    cfg_file.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SLACKOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLACKOPS_CONFIG", str(cfg_file))
    with connect(Settings(data_dir=str(tmp_path / "data"))) as (client, _):
        store = RequestStore(client, config(), prefix=namespace)
        ids = seed(store, MaintenanceBook(client, config(), store.policy, namespace))
    assert main(["uptime", "--account", "acme", "--month", "2026-11", "--json", "--prefix", namespace]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["uptime_percent"], row["credit_percent"], row["downtime_minutes"]) == (98.6477, 5, 585)
    assert main(["uptime", "--month", "2026-11", "--prefix", namespace]) == 0
    out = capsys.readouterr().out
    assert "acme       2026-11    98.648%     99%   585.0 min" in out and "(default table)" in out
    assert main(["uptime", "correct", ids["d"], "--end", ny(25, 10).isoformat(), "--reason", "slow to confirm",
                 "--by", "U0AGENT1", "--prefix", namespace]) == 0
    assert "to 2026-11-25T15:00:00+00:00" in capsys.readouterr().out
    assert main(["uptime", "correct", ids["d"], "--end", ny(25, 10).isoformat(), "--prefix", namespace]) == 2
    assert "say why" in capsys.readouterr().err


def test_an_agent_corrects_a_downtime_from_slack(desk):
    from tests.slack.conftest import reply

    rid = desk.open_request(priority="P1", extra={"justification": "down"})
    r = desk.driver.command("/support", f"downtime {rid} start=2026-11-25T08:30-05:00", user_id="U0ACME1",
                            channel_id="C0ACMESHARED", user_team_id="T0ACME")
    assert "agents" in reply(r).lower() and "downtime" not in desk.store.get(rid).fields
    r = desk.driver.command("/support", f"downtime {rid} start=2026-11-25T08:30-05:00", user_id="U0AGENT1",
                            channel_id="C0TRIAGE")
    assert "say why" in reply(r) and "Usage" in reply(r)
    r = desk.driver.command("/support", f"downtime {rid} start=2026-11-25T08:30-05:00 monitoring <saw> it first",
                            user_id="U0AGENT1", channel_id="C0TRIAGE")
    assert f"{rid}: its downtime now counts from 2026-11-25T13:30:00+00:00 to its resolution" in reply(r)
    ev = desk.store.history(rid)[-1]
    assert (ev.type, ev.actor, ev.data["reason"]) == ("downtime_corrected", "U0AGENT1", "monitoring <saw> it first")
    r = desk.driver.command("/support", "downtime NOPE-1 end=2026-11-25T10:00-05:00 x", user_id="U0AGENT1",
                            channel_id="C0TRIAGE")
    assert "Usage" in reply(r)


def test_downtime_from_submission_or_from_when_the_impact_was_recorded(books):
    from slackops.operations.uptime import downtime_of

    store, book, cfg = books
    ids = seed(store, book)
    d = store.get(ids["d"])  # submitted 09:00, marked unavailable at 09:01, resolved 09:45
    assert store.policy(d.policy).uptime.downtime_from == "submission"  # Comensure: "from the time the trouble ticket is opened"
    assert downtime_of(d, "unavailable", AFTER)[:2] == (ny(25, 9), ny(25, 9, 45))
    assert downtime_of(d, "unavailable", AFTER, "impact_recorded")[:2] == (ny(25, 9, 1), ny(25, 9, 45))
    a = store.get(ids["a"])  # a P1 is unavailable from the start: no impact was recorded, so from submission
    assert downtime_of(a, "unavailable", AFTER, "impact_recorded")[:2] == (ny(10, 10), ny(10, 16))
    # degraded, then unavailable again: the downtime starts at the second marking
    store.apply(d.id, Event("reopened", "U0AGENT1", ny(25, 10), {"reason": "back"}))
    store.apply(d.id, Event("service_affected", "U0AGENT1", ny(25, 10, 5), {"impact": "degraded"}))
    store.apply(d.id, Event("service_affected", "U0AGENT1", ny(25, 10, 10), {"impact": "unavailable"}))
    d = store.get(d.id)
    assert downtime_of(d, "unavailable", AFTER, "impact_recorded")[0] == ny(25, 10, 10)
    # a field a policy file cannot set to anything else
    from slackops.policy import PolicyError, parse_policy_text
    from tests.policy.test_loader import GOOD

    with pytest.raises(PolicyError, match="uptime.downtime_from"):
        parse_policy_text(GOOD + "uptime: {target_percent: 99, downtime_from: ticket opened}\n", source="acme.yml")
