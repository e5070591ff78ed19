"""A redelivered event (same event_id, X-Slack-Retry-Num) or a repeated submission changes
nothing twice."""

from __future__ import annotations

import time

from tests.slack.conftest import form, wait_for


def test_redelivered_first_response_event_is_recorded_once(desk):
    rid = desk.open_request()
    req = desk.store.get(rid)
    ev = {"type": "message", "channel": req.channel, "user": "U0AGENT1", "text": "On it", "ts": "1800000001.000001",
          "thread_ts": req.card_ts}
    assert desk.driver.event(ev, event_id="Ev0FIRST").status == 200
    for n in (1, 2, 3):
        assert desk.driver.event(ev, event_id="Ev0FIRST", retry_num=n).status == 200
    wait_for(lambda: desk.store.get(rid).first_response_at)
    time.sleep(0.3)
    assert [e.type for e in desk.store.history(rid)].count("first_response") == 1


def test_redelivered_member_joined_posts_one_button(desk):
    ev = {"type": "member_joined_channel", "user": "U0BOT", "channel": "C0ROSSISHARED"}
    desk.driver.event(ev, event_id="Ev0JOIN")
    desk.driver.event(ev, event_id="Ev0JOIN", retry_num=1, retry_reason="http_timeout")
    wait_for(lambda: desk.fake.messages("C0ROSSISHARED"))
    time.sleep(0.3)
    msgs = desk.fake.messages("C0ROSSISHARED")
    assert len(msgs) == 1 and "Apri una richiesta" in str(msgs[0]["blocks"])
    assert len(desk.fake.pins) == 1


def test_repeated_agent_form_submission_applies_once(desk):
    rid = desk.open_request()
    desk.press("req_request_info", rid, "U0AGENT1")
    view = desk.wait_view("slackops_request_info")
    for _ in range(3):
        r = desk.submit("slackops_request_info", form(question="Which version?"), "U0AGENT1", view=view, view_id="V0REPEAT")
        assert r.status == 200 and not r.body, r.text
    wait_for(lambda: str(desk.store.get(rid).status) == "waiting_on_customer")
    time.sleep(0.3)
    assert [e.type for e in desk.store.history(rid)].count("info_requested") == 1
    assert len([m for m in desk.thread(rid) if "needs more information" in m["text"]]) == 1


def test_double_pressed_acknowledge_posts_one_acceptance(desk):
    rid = desk.open_request()
    desk.press("req_acknowledge", rid, "U0AGENT1")
    desk.press("req_acknowledge", rid, "U0AGENT1")
    desk.wait_thread(rid, "has been accepted")
    desk.wait_ephemeral("U0AGENT1", "already acknowledged")
    assert len([m for m in desk.thread(rid) if "accepted" in m["text"]]) == 1
