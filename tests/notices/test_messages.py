"""The notice builders: what a person reads, escaped, within Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from slackops.notices import messages as nb
from slackops.policy.common import timedelta_words

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def facts(**kw) -> nb.NoticeFacts:
    base = dict(request_id="ACME-3", customer="Acme <Health> & Co", title="<!channel> down", priority="P1",
                what="first_response", due_at=NOW - timedelta(minutes=25), now=NOW,
                submitted_at=NOW - timedelta(hours=2, minutes=25), tz="America/New_York", target="2 hours",
                assignee="U0AGENT1", permalink="https://slack.com/archives/C1/p1700000001000001")
    base.update(kw)
    return nb.NoticeFacts(**base)


def all_text(msg: nb.Message) -> str:
    out = [msg.text]
    for b in msg.blocks:
        if b["type"] == "section":
            out.append(b["text"]["text"])
        elif b["type"] == "context":
            out += [e["text"] for e in b["elements"]]
    return "\n".join(out)


def test_breach_says_what_and_by_how_much_escaped():
    msg = nb.breach(facts())
    text = all_text(msg)
    assert "first response overdue by 25 min" in text
    assert "&lt;!channel&gt; down" in text and "<!channel>" not in text
    assert "Acme &lt;Health&gt; &amp; Co" in text
    # a date token: each reader sees their own zone; the fallback is the policy's, named
    assert f"<!date^{int((NOW - timedelta(minutes=25)).timestamp())}^{{date_short_pretty}} {{time}}|Mon 02 Mar 09:35 EST>" in text
    assert "ACME-3" in msg.line and "overdue" in msg.line


def test_warning_and_reminders():
    w = nb.warning(facts(due_at=NOW + timedelta(minutes=30)), 0.75)
    assert "first response due in 30 min (75% of the target used)" in w.text
    assert "critical-issue notice" in nb.warning(facts(what="critical_notice", due_at=NOW + timedelta(hours=1))).text
    assert "status update" in nb.warning(facts(what="update", due_at=NOW + timedelta(hours=1))).text


def test_escalation_dm_has_what_a_manager_needs_and_buttons():
    msg = nb.escalation_dm(facts(what="escalation", level=2, due_at=NOW - timedelta(minutes=5)), ("directors",))
    section = msg.blocks[0]["text"]["text"]
    for part in ("Escalation level 2", "directors", "Acme &lt;Health&gt; &amp; Co", "*Priority:* P1",
                 "*Age:* 2 h 25 min", "<@U0AGENT1>", "by 5 min"):
        assert part in section
    ack, link = msg.blocks[1]["elements"]
    assert ack["action_id"] == "esc_acknowledge" and ack["value"] == '{"r":"ACME-3","l":2}'
    assert link["action_id"] == "open_thread" and link["url"].startswith("https://slack.com/archives/C1/")


def test_a_step_at_hour_0_is_escalated_at_submission_never_overdue_by_0_s():
    opened = NOW - timedelta(seconds=0.4)
    step = facts(what="escalation", level=1, due_at=opened, submitted_at=opened, target="0 hours")
    for msg in (nb.escalation_dm(step, ("support",)), nb.escalation_channel(step, ("support",))):
        text = all_text(msg)
        assert "escalated at submission" in text.lower(), text
        assert "0 s" not in text and "target 0" not in text and "Overdue" not in text
    just_due = nb.breach(facts(due_at=NOW - timedelta(seconds=0.4)))
    assert "first response now overdue" in just_due.text and "0 s" not in all_text(just_due)


def test_a_step_seconds_after_submission_is_not_at_submission():
    opened = NOW - timedelta(seconds=30)
    step = facts(what="escalation", level=1, due_at=opened + timedelta(seconds=24), submitted_at=opened, target="24 seconds")
    text = all_text(nb.escalation_channel(step, ("directors",)))
    assert "at submission" not in text and "(target 24 seconds)" in text


def test_unassigned_is_said():
    assert "nobody (unassigned)" in nb.breach(facts(assignee=None)).line


def test_customer_notices():
    c = nb.critical_notice_customer("We are on it.", ["U0ACME1", "U0ACME2"])
    assert c.text.startswith("<@U0ACME1> <@U0ACME2>\nWe are on it.")
    assert "P2" in nb.auto_upgrade_customer("P2", "P1").text
    assert "priorità" in nb.auto_upgrade_customer("P2", "P1", "it").text


def test_digest_lists_every_line_within_block_limits():
    lines = [f"ACME-{i} P1 resolution overdue by 2 s, with <@U0AGENT{i % 50:02d}>" for i in range(500)]
    msg = nb.digest(lines)
    assert len(msg.blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in msg.blocks)
    body = "\n".join(b["text"]["text"] for b in msg.blocks)
    assert all(ln in body for ln in lines)
    with pytest.raises(ValueError):
        nb.digest(["x" * 2900] * 60)


def test_one_duration_formatter_for_notices_and_explanations():
    # notices say how long to the minute, unsigned; the policy's explanations exactly
    assert timedelta_words(timedelta(seconds=45), coarse=True) == "45 s"
    assert timedelta_words(timedelta(hours=2, minutes=5, seconds=30), coarse=True) == "2 h 5 min"
    assert timedelta_words(timedelta(days=3, hours=4, minutes=9), coarse=True) == "3 d 4 h"
    assert timedelta_words(-timedelta(minutes=10), coarse=True) == "10 min"
    assert timedelta_words(timedelta(hours=2, minutes=5, seconds=30)) == "2 h 5 min 30 s"
    assert timedelta_words(-timedelta(minutes=10)) == "-10 min"
