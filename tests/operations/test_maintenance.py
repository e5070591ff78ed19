"""Maintenance against each account's policy, its notices exactly once, its calendar feed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from slackops.errors import DomainError
from slackops.operations.maintenance import fits_window, refusal
from slackops.operations.records import MaintenanceBook
from slackops.policy import load
from tests.operations.conftest import NOW, get, posted

DENVER = "America/Denver"
H = timedelta(hours=1)
D = timedelta(days=1)


def denver(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(DENVER))


@pytest.fixture
def book(desk):
    return MaintenanceBook(desk.store.redis, desk.config, desk.store.policy, desk.store.keys.prefix)


def test_inside_interopions_window_no_notice_is_owed():
    pol = load("interopion")
    # tomorrow 20:00-23:30 Denver, and across midnight 22:00-03:00: inside 19:00-04:00
    assert refusal(pol, denver(2026, 12, 8, 20), denver(2026, 12, 8, 23, 30), False, NOW) is None
    assert refusal(pol, denver(2026, 12, 8, 22), denver(2026, 12, 9, 3), False, NOW) is None
    # starting inside but running past 04:00 is outside the window
    assert not fits_window(pol.maintenance, denver(2026, 12, 8, 22), denver(2026, 12, 9, 5))
    why = refusal(pol, denver(2026, 12, 8, 22), denver(2026, 12, 9, 5), False, NOW)
    assert why and "7 days" in why


def test_outside_the_window_six_days_is_refused_eight_allowed():
    pol = load("interopion")
    six = NOW + 6 * D  # Sunday 13 Dec, 12:00 Denver: outside the window
    why = refusal(pol, six, six + 2 * H, False, NOW)
    assert why is not None
    # the earliest allowed start: the same wall-clock time seven days later, in Denver
    assert "earliest allowed start is 2026-12-14 12:00 MST" in why
    assert "19:00–04:00 America/Denver" in why
    eight = NOW + 8 * D
    assert refusal(pol, eight, eight + 2 * H, False, NOW) is None


def test_emergency_is_allowed_any_time():
    pol = load("interopion")
    soon = NOW + H  # 13:00 Denver, an hour from now
    assert refusal(pol, soon, soon + H, False, NOW) is not None
    assert refusal(pol, soon, soon + H, True, NOW) is None


def test_the_book_refuses_with_the_earliest_start_and_records_nothing(book):
    six = NOW + 6 * D
    with pytest.raises(DomainError) as e:
        book.add(start=six, end=six + 2 * H, now=NOW, accounts=["acme"])
    assert "Acme Health: Interopion needs 7 days notice" in str(e.value)
    assert "2026-12-14 12:00 MST" in str(e.value)
    assert book.list() == []
    assert book.redis.zcard(book.due_key) == 0
    # bad input: a clear sentence, nothing recorded
    for kwargs, words in [
        ({"start": NOW + 9 * D, "end": NOW + 8 * D}, "must end after it starts"),
        ({"start": NOW - 2 * D, "end": NOW - D}, "already be over"),
        ({"start": NOW + 9 * D, "end": NOW + 10 * D, "accounts": ["nobody"]}, "not an account"),
        ({"start": NOW + 9 * D, "end": NOW + 10 * D, "impact": "total"}, "not an impact"),
    ]:
        with pytest.raises(DomainError, match=words):
            book.add(now=NOW, **kwargs)
    assert book.list() == []


def test_all_accounts_each_policy_decides(book):
    # 8 days ahead at noon Denver: Interopion allows it; the other policies set no notice period
    start = NOW + 8 * D
    m = book.add(start=start, end=start + H, now=NOW)
    assert m.id == "MNT-1" and m.accounts is None
    # an emergency for everybody, starting now
    e = book.add(start=NOW, end=NOW + H, now=NOW, emergency=True, impact="degraded")
    assert e.id == "MNT-2" and e.emergency


def test_notices_and_reminders_once_each(desk, book, ops):
    start = NOW + 8 * D
    end = start + 3 * H
    m = book.add(start=start, end=end, now=NOW, accounts=["acme", "rossi"], note="Database <upgrade> & more")
    times = [NOW, NOW + timedelta(seconds=1), start - 24 * H, start - 24 * H + timedelta(minutes=1),
             start - H, start - H + timedelta(seconds=5), start, start + H, end, end + D]
    for t in times:
        ops.tick(t)
        ops.tick(t)  # a second worker, or the same one again: nothing new
    acme = posted(desk, "C0ACMESHARED")
    assert len(acme) == 5, acme
    # each reader sees the times in their own zone; the fallback is the account's zone, named
    assert re.match(r":wrench: \*Scheduled maintenance MNT-1\*: <!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-12-15 12:00 MST> "
                    r"to <!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-12-15 15:00 MST>", acme[0]), acme[0]
    assert f"<!date^{int(start.timestamp())}^" in acme[0]
    assert "Note: Database &lt;upgrade&gt; &amp; more" in acme[0]
    assert "starts in 24 hours" in acme[1] and "starts in 1 hour," in acme[2]
    assert "has started" in acme[3] and "is over" in acme[4]
    rossi = posted(desk, "C0ROSSISHARED")  # Interzen, in Italian, Rome time
    assert len(rossi) == 5
    assert rossi[0].startswith(":wrench: *Manutenzione programmata MNT-1*: dalle <!date^")
    assert "|2026-12-15 20:00 CET>" in rossi[0]
    assert "inizia tra 24 ore" in rossi[1]
    assert posted(desk, "C0INITECHSHARED") == []  # not affected
    assert book.redis.zcard(book.due_key) == 0
    assert m.version == 1


def test_cancelled_sends_the_cancellation_and_nothing_after(desk, book, ops):
    start = NOW + 8 * D
    m = book.add(start=start, end=start + H, now=NOW, accounts=["acme"])
    ops.tick(NOW)
    book.cancel(m.id, now=NOW + D, reason="vendor postponed")
    with pytest.raises(DomainError, match="already cancelled"):
        book.cancel(m.id, now=NOW + D)
    for t in (NOW + D, start - 24 * H, start - H, start, start + 2 * H):
        ops.tick(t)
    texts = posted(desk, "C0ACMESHARED")
    assert len(texts) == 2, texts
    assert "Scheduled maintenance MNT-1" in texts[0]
    assert texts[1].startswith(":no_entry_sign: *Maintenance MNT-1 is cancelled*")
    assert book.get(m.id).history[-1]["reason"] == "vendor postponed"


def test_a_changed_maintenance_sends_no_stale_notice(desk, book, ops):
    start = NOW + 8 * D
    m = book.add(start=start, end=start + H, now=NOW, accounts=["acme"])
    ops.tick(NOW)
    later = start + 2 * D
    m2 = book.change(m.id, now=NOW + D, start=later, end=later + H)
    assert m2.version == 2
    # the old start's reminders and start come and go: nothing is owed for them
    for t in (NOW + D, start - 24 * H, start - H, start, start + H):
        ops.tick(t)
    texts = posted(desk, "C0ACMESHARED")
    assert len(texts) == 2, texts
    assert "has changed*: now <!date^" in texts[1] and "|2026-12-17 12:00 MST>" in texts[1]
    for t in (later - 24 * H, later - H, later, later + H):
        ops.tick(t)
    texts = posted(desk, "C0ACMESHARED")
    assert len(texts) == 6
    assert "starts in 24 hours, at <!date^" in texts[2] and "|2026-12-17 12:00 MST>" in texts[2]
    # a change the policy does not allow is refused and changes nothing
    m3 = book.add(start=start + 5 * D, end=start + 5 * D + H, now=NOW + 2 * D, accounts=["acme"])
    with pytest.raises(DomainError, match="earliest allowed start"):
        book.change(m3.id, now=NOW + 2 * D, start=NOW + 3 * D, end=NOW + 3 * D + H)
    assert book.get(m3.id).version == 1


def test_emergency_is_announced_at_once(desk, book, ops):
    m = book.add(start=NOW + timedelta(minutes=30), end=NOW + 2 * H, now=NOW, accounts=["acme"],
                 emergency=True)
    ops.tick(NOW)
    texts = posted(desk, "C0ACMESHARED")
    assert texts == [texts[0]] and texts[0].startswith(":rotating_light: *Emergency maintenance MNT-1*")
    # no reminder can be 24 h or 1 h ahead any more: next come the start and the end
    for t in (NOW + timedelta(minutes=30), NOW + 2 * H):
        ops.tick(t)
    assert len(posted(desk, "C0ACMESHARED")) == 3
    assert m.emergency


def test_ics_feed_parses_and_needs_the_token(desk, book):
    from slackops.operations.tokens import StatusTokens

    start = NOW + 8 * D
    a = book.add(start=start, end=start + H, now=NOW, accounts=["acme"], note="upgrade")
    b = book.add(start=start + D, end=start + D + H, now=NOW, accounts=["acme", "rossi"])
    book.cancel(b.id, now=NOW)
    book.add(start=start, end=start + H, now=NOW, accounts=["rossi"])
    token = StatusTokens(desk.store.redis, desk.config, desk.store.keys.prefix).get("acme")
    base = desk.server.base_url
    r = get(f"{base}/maintenance/acme.ics?token={token}")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.body)
    events = cal.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{a.id}@acme.slackops", f"{b.id}@acme.slackops"]
    assert events[0].decoded("dtstart") == start and events[0].decoded("dtend") == start + H
    assert str(events[0]["description"]) == "upgrade"
    assert str(events[1]["status"]) == "CANCELLED" and int(events[1]["sequence"]) == 2
    assert get(f"{base}/maintenance/acme/{token}.ics").status == 200
    assert get(f"{base}/maintenance/acme.ics").status == 404
    assert get(f"{base}/maintenance/acme.ics?token={'x' * 32}").status == 404
    assert get(f"{base}/maintenance/rossi.ics?token={token}").status == 404  # another account's token
    assert get(f"{base}/maintenance/nobody.ics?token={token}").status == 404


def test_a_worker_process_posts_maintenance_notices(redis, fake_slack, namespace):
    """The worker's runtime runs the operations clock: a notice due now is posted by it."""
    from slackops.workers.runtime import Runtime, build_context

    from slackops.config import Config
    from slackops.notices.outbox import make_client
    from tests.slack.conftest import CONFIG, wait_for
    from tests.workers.conftest import notices

    config = Config.model_validate(CONFIG)
    ctx = build_context(redis, config, make_client("xoxb-test", fake_slack.url, timeout=5), prefix=namespace,
                        interval=0.05)
    rt = Runtime(ctx).start()
    try:
        book = MaintenanceBook(redis, config, ctx.store.policy, namespace)
        now = datetime.now(UTC)
        book.add(start=now, end=now + H, now=now, emergency=True, accounts=["initech"])
        msgs = wait_for(lambda: notices(fake_slack, "C0INITECHSHARED"), timeout=15, what="the emergency notice")
        assert "Emergency maintenance MNT-1" in msgs[0]["text"]
    finally:
        rt.stop()


def test_reminders_are_set_in_the_policy(tmp_path):
    from slackops.errors import SlackopsError
    from slackops.operations.maintenance import Maintenance, stages

    text = (Path(__file__).resolve().parents[2] / "slackops/policy/presets/interopion.yml").read_text()
    assert "reminders" not in text
    custom = tmp_path / "custom.yml"
    custom.write_text(text.replace("  emergency_any_time: true\n", "  emergency_any_time: true\n  reminders: [3 days, 2 hours]\n", 1)
                      .replace("name: interopion", "name: custom"))
    pol = load(str(custom))
    assert [d.text for d in pol.maintenance.reminders] == ["3 days", "2 hours"]
    assert [d.text for d in load("interopion").maintenance.reminders] == ["24 hours", "1 hour"]
    m = Maintenance(id="MNT-1", start=NOW + 8 * D, end=NOW + 8 * D + H)
    assert [s.name for s in stages(m, "acme", pol.maintenance.reminders, NOW)] == [
        "scheduled", "reminder:3 days", "reminder:2 hours", "start", "end"]
    bad = tmp_path / "bad.yml"
    bad.write_text(text.replace("  emergency_any_time: true\n", "  emergency_any_time: true\n  reminders: [soon]\n", 1))
    with pytest.raises(SlackopsError, match=r"maintenance\.reminders"):
        load(str(bad))
