"""Each kind of notice reaches the right places at the right time (a policy of seconds)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from slackops.requests import Event

from .conftest import SHARED, carried, notices, post_times, utcnow


def open_request(h, priority: str, assignee: str | None = "U0AGENT1"):
    now = utcnow()
    req = h.store.open("acme", title="Checkout <down> & out", description="x", priority=priority,
                       submitted_by="U0ACME1", now=now)
    if assignee:
        req = h.store.apply(req.id, Event(type="assigned", actor="U0AGENT1", at=now, data={"assignee": assignee}))
        # the acknowledgement the customer is sent on Take, recorded as sent (the publisher does)
        req = h.store.apply(req.id, Event(type="first_response", actor="system", at=now, data={"by": "acknowledgement"}))
    return req


def test_warning_then_breach_to_channel_and_assignee_never_early(harness, fake_slack):
    h = harness
    req = open_request(h, "P3")  # resolution 4 s, warning at 50 % (taking it, acknowledged, was the first response)
    h.card(req)
    member = f"{req.id}|resolution"
    assert h.run_until(lambda: len(notices(fake_slack, "C0NORMAL")) >= 2, timeout=12)
    h.run_for(0.5)
    times = post_times(fake_slack)
    start = req.submitted_at.timestamp()
    warn_ch, due_ch = f"{member}|warn:0.5|C0NORMAL", f"{member}|due|C0NORMAL"
    warn_dm, due_dm = f"{member}|warn:0.5|U0AGENT1", f"{member}|due|U0AGENT1"
    assert {warn_ch, due_ch, warn_dm, due_dm} <= set(times)
    assert times[warn_ch] >= start + 2.0 and times[warn_dm] >= start + 2.0
    assert times[due_ch] >= start + 4.0 and times[due_dm] >= start + 4.0
    ch = notices(fake_slack, "C0NORMAL")
    assert [m["notice_id"] for m in ch] == [warn_ch, due_ch]
    assert "overdue" in ch[1]["text"] and "&lt;down&gt; &amp; out" in ch[1]["blocks"][0]["text"]["text"]
    assert [m["notice_id"] for m in notices(fake_slack, "D0AGENT1")] == [warn_dm, due_dm]
    assert notices(fake_slack, SHARED) == []  # nothing internal in the customer's channel


def test_nothing_after_resolution(harness, fake_slack):
    h = harness
    req = open_request(h, "P3")
    h.store.apply(req.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(),
                                data={"resolution": "fix", "note": "done"}))
    h.run_for(5)
    assert notices(fake_slack) == []


def test_responded_to_before_the_deadline_gets_no_breach(harness, fake_slack):
    h = harness
    req = open_request(h, "P3", assignee=None)
    # The first response's 50 % warning (1.5 s) may share a digest with the resolution's (2 s).
    def first_response_notices() -> list[str]:
        return [nid.split("|")[2] for nid in carried(fake_slack, "C0NORMAL") if "|first_response|" in nid]

    assert h.run_until(lambda: first_response_notices() != [], timeout=8)
    h.store.apply(req.id, Event(type="first_response", actor="U0AGENT1", at=utcnow(), data={}))
    h.run_for(3.0)
    assert first_response_notices() == ["warn:0.5"]


def test_auto_upgrade_reclassifies_and_tells_the_customer(harness, fake_slack):
    h = harness
    req = open_request(h, "P2", assignee=None)  # not identified within 2 s -> P1
    root = h.card(req)
    assert h.run_until(lambda: h.store.get(req.id).priority == "P1", timeout=10)
    h.run_until(lambda: any("|auto_upgrade|" in m["notice_id"] for m in notices(fake_slack, SHARED, root)), timeout=5)
    h.run_for(0.5)
    # (as a P1 it may soon owe its critical notice too: targets follow the new priority)
    told = [m for m in notices(fake_slack, SHARED, root) if "|auto_upgrade|" in m["notice_id"]]
    assert len(told) == 1 and "P2" in told[0]["text"] and "P1" in told[0]["text"]
    assert told[0]["ts"] > root
    assert any("raised from P2 to P1" in m["text"] for m in notices(fake_slack, "C0URGENT"))
    ev = [e for e in h.store.history(req.id) if e.type == "reclassified"]
    assert len(ev) == 1 and ev[0].data["to"] == "P1" and ev[0].actor == "system"
    assert post_times(fake_slack)[told[0]["notice_id"]] >= req.submitted_at.timestamp() + 2


def test_critical_notice_kept_when_no_agent_acts(harness, fake_slack):
    h = harness
    req = open_request(h, "P1")
    root = h.card(req)
    assert h.run_until(lambda: len(notices(fake_slack, SHARED, root)) >= 1, timeout=10)
    h.run_for(1.0)
    thread = notices(fake_slack, SHARED, root)
    assert len(thread) == 1 and "<@U0ACME1>" in thread[0]["text"] and "critical issue" in thread[0]["text"]
    assert h.store.get(req.id).critical_notice_at is not None
    assert sum(e.type == "critical_notice_sent" for e in h.store.history(req.id)) == 1
    urgent = [m["text"] for m in notices(fake_slack, "C0URGENT")]
    # alone or folded into a digest with the escalation ping
    assert any("critical-issue notice" in t and ("Reminder" in t or "due in" in t) for t in urgent)  # before
    assert any("default" in t and "critical-issue notice" in t for t in urgent)  # the agents are told
    times = post_times(fake_slack)
    assert times[thread[0]["notice_id"]] >= req.submitted_at.timestamp() + 3


def test_no_default_notice_when_an_agent_sent_one(harness, fake_slack):
    h = harness
    req = open_request(h, "P1")
    root = h.card(req)
    h.store.apply(req.id, Event(type="critical_notice_sent", actor="U0AGENT1", at=utcnow(), data={"text": "on it"}))
    h.run_for(4.0)
    assert notices(fake_slack, SHARED, root) == []


def test_escalation_dms_the_managers_and_pings_the_channel(harness, fake_slack):
    h = harness
    req = open_request(h, "P1")
    h.card(req)
    assert h.run_until(lambda: len(notices(fake_slack, "D0DIR1")) >= 1, timeout=10)
    h.run_for(0.5)
    dm = notices(fake_slack, "D0DIR1")
    assert len(dm) == 1
    section = dm[0]["blocks"][0]["text"]["text"]
    assert "Escalation level 1" in section and "Acme &lt;Health&gt;" in section and "P1" in section
    assert "<@U0AGENT1>" in section  # who has it
    buttons = dm[0]["blocks"][1]["elements"]
    assert buttons[0]["action_id"] == "esc_acknowledge" and '"l":1' in buttons[0]["value"]
    assert buttons[1]["url"].startswith("https://slack.com/archives/")
    assert any("escalated to level 1" in m["text"] for m in notices(fake_slack, "C0URGENT"))
    esc = [e for e in h.store.history(req.id) if e.type == "escalated"]
    assert len(esc) == 1 and esc[0].data["level"] == 1 and esc[0].data["by"] == "policy"
    assert post_times(fake_slack)[dm[0]["notice_id"]] >= req.submitted_at.timestamp() + 2
    assert notices(fake_slack, "D0EXEC1") == []


def test_early_job_defers_to_the_due_instant(harness, fake_slack):
    """A job handed an alarm before its instant (clock skew, rq's whole seconds) never acts early:
    it re-schedules itself (aware UTC) or, when the instant is under 1.5 s away, waits for it."""
    from rq.registry import ScheduledJobRegistry
    from slackops.workers import alarms
    from slackops.workers.jobs import process_alarms

    h = harness
    req = open_request(h, "P3")
    mine = [a for a in h.redis.zrange(h.store.keys.deadlines, 0, -1, withscores=True) if a[0].decode().startswith(req.id)]
    member, score = min(mine, key=lambda x: x[1])  # the resolution warning, ~2 s away
    ref = alarms.AlarmRef.of(h.store.due(datetime.fromtimestamp(score, UTC))[0])
    assert ref.member == member.decode()
    assert alarms.handle(h.ctx, ref, utcnow() - timedelta(seconds=5)) == "early"
    assert process_alarms([ref.to_dict()]) == {"deferred": 1}
    reg = ScheduledJobRegistry(queue=h.ctx.queue)
    [job_id] = reg.get_job_ids()
    assert reg.get_scheduled_time(job_id).timestamp() >= score
    assert notices(fake_slack) == []
    time.sleep(max(0.0, score - time.time() - 1.0))
    assert process_alarms([ref.to_dict()]) == {"sent": 1}  # under 1.5 s away: it waits, then acts
    assert time.time() >= score


def test_update_cadence_reminders_until_an_update_is_posted(harness, fake_slack):
    h = harness
    req = open_request(h, "P4")  # an update owed every 3 s, reminded at 50 %
    assert h.run_until(lambda: any("|update:1|due|" in m["notice_id"] for m in notices(fake_slack, "C0LOW")), timeout=10)
    h.store.apply(req.id, Event(type="update_posted", actor="U0AGENT1", at=utcnow(), data={"text": "still on it"}))
    h.run_for(1.0)
    low = notices(fake_slack, "C0LOW")
    texts = " ".join(m["text"] for m in low)
    assert "status update" in texts
    ids = [m["notice_id"] for m in low] + [m["notice_id"] for m in notices(fake_slack, "D0AGENT1")]
    assert any("|update:1|warn:0.5|" in i for i in ids)  # the reminder before it was due
    assert len(ids) == len(set(ids))
    times = post_times(fake_slack)
    start = req.submitted_at.timestamp()
    assert all(t >= start + 1.5 for i, t in times.items() if "|update:1|warn" in i)
    assert all(t >= start + 3.0 for i, t in times.items() if "|update:1|due" in i)


def test_a_warned_or_breached_requests_card_is_rendered_again(harness, fake_slack):
    h = harness
    req = open_request(h, "P3")
    ts = h.card(req)
    assert h.run_until(lambda: len(notices(fake_slack, "C0NORMAL")) >= 2, timeout=12)  # the warning, the breach
    pub = h.ctx.publisher
    assert h.redis.zscore(pub._stale_key, req.id) is not None
    assert "is late" not in str(fake_slack.message(SHARED, ts))
    assert pub.refresh_stale() == req.id
    card = fake_slack.message(SHARED, ts)  # the customer card owns the late promise
    assert "it is late" in str(card["blocks"]) and req.id in card["text"]
    # one card every CARD_REFRESH_INTERVAL across all workers: Slack allows ~50 chat.update a minute
    pub.mark_stale([req.id])
    assert pub.refresh_stale() is None
    assert h.redis.zscore(pub._stale_key, req.id) is not None  # still owed, for the next slot
