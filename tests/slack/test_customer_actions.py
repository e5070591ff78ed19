"""Customers' paths besides /support: the pinned button, the :ticket: reaction, the message
shortcut; and their buttons: escalate (and a level up), add information, confirm."""

from __future__ import annotations

import json

from tests.slack.conftest import form, wait_for


def test_app_joining_a_mapped_channel_posts_and_pins_the_open_button(desk):
    joined = {"type": "member_joined_channel", "user": "U0BOT", "channel": "C0ACMESHARED", "team": "T0VENDOR"}
    desk.driver.event(joined, event_id="Ev0JOINED")
    msg = wait_for(lambda: desk.fake.messages("C0ACMESHARED"))[0]
    assert "open_request" in str(msg["blocks"])
    wait_for(lambda: ("C0ACMESHARED", msg["ts"]) in desk.fake.pins)
    # Slack redelivers the event; someone else joins; the app joins an unmapped channel: nothing more
    desk.driver.event(joined, event_id="Ev0JOINED", retry_num=1)
    desk.driver.event({"type": "member_joined_channel", "user": "U0ACME2", "channel": "C0ACMESHARED"})
    desk.driver.event({"type": "member_joined_channel", "user": "U0BOT", "channel": "C0OTHER"})
    desk.settle()
    assert len(desk.fake.messages("C0ACMESHARED")) == 1 and not desk.fake.messages("C0OTHER")
    assert desk.fake.pins == [("C0ACMESHARED", msg["ts"])]


def test_pinned_button_opens_the_form_for_contacts_only(desk):
    pinned = {"ts": "1700000000.000001", "type": "message", "text": "Open"}
    desk.driver.block_action("open_request", "", user_id="U0ACME1", user_team_id="T0ACME", channel_id="C0ACMESHARED",
                             message=pinned)
    view = desk.wait_view("slackops_open_request")
    assert json.loads(view["private_metadata"])["source"] == "button"
    desk.driver.block_action("open_request", "", user_id="U0ACME2", user_team_id="T0ACME", channel_id="C0ACMESHARED",
                             message=pinned)
    e = desk.wait_ephemeral("U0ACME2", "designated contacts")
    assert "<@U0ACME1>" in e["text"]


def test_ticket_reaction_opens_a_request_linked_to_the_message(desk):
    src = desk.driver  # noqa: F841
    posted = desk.app.client.chat_postMessage(channel="C0ACMESHARED", text="Login page returns 500 since 9am\nfor all users")
    desk.driver.event({"type": "reaction_added", "user": "U0ACME1", "reaction": "ticket", "item_user": "U0ACME1",
                       "item": {"type": "message", "channel": "C0ACMESHARED", "ts": posted["ts"]}})
    rid = wait_for(lambda: [r.id for r in desk.store.list(open_only=False)])[0]
    req = desk.store.get(rid)
    assert req.title == "Login page returns 500 since 9am" and req.source == "reaction"
    assert req.priority == "P3" and req.fields["source_ts"] == posted["ts"]
    wait_for(lambda: desk.fake.messages("C0ACMESHARED", thread_ts=posted["ts"]))
    reply = desk.fake.messages("C0ACMESHARED", thread_ts=posted["ts"])[0]
    assert rid in reply["text"]
    desk.wait_thread(rid, "this message")
    # the same reaction redelivered, or added again: still one request
    desk.driver.event({"type": "reaction_added", "user": "U0ACME1", "reaction": "ticket",
                       "item": {"type": "message", "channel": "C0ACMESHARED", "ts": posted["ts"]}})
    import time
    time.sleep(0.3)
    assert len(desk.store.list(open_only=False)) == 1


def test_ticket_reaction_by_a_non_contact_or_with_phi_is_refused(desk):
    posted = desk.app.client.chat_postMessage(channel="C0ACMESHARED", text="Patient MRN: 12345678 missing")
    desk.driver.event({"type": "reaction_added", "user": "U0ACME2", "reaction": "ticket",
                       "item": {"type": "message", "channel": "C0ACMESHARED", "ts": posted["ts"]}})
    desk.wait_ephemeral("U0ACME2", "designated contacts")
    desk.driver.event({"type": "reaction_added", "user": "U0ACME1", "reaction": "ticket",
                       "item": {"type": "message", "channel": "C0ACMESHARED", "ts": posted["ts"]}})
    e = desk.wait_ephemeral("U0ACME1", "medical record")
    assert "12345678" not in e["text"]
    assert desk.store.list(open_only=False) == []


def test_message_shortcut_prefills_the_form_and_links_back(desk):
    message = {"type": "message", "ts": "1700000099.000001", "user": "U0ACME1", "text": "Reports are empty\nsince the upgrade"}
    desk.driver.message_shortcut("open_support_request", user_id="U0ACME1", user_team_id="T0ACME",
                                 channel_id="C0ACMESHARED", message=message)
    view = desk.wait_view("slackops_open_request")
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert title["element"]["initial_value"] == "Reports are empty"
    meta = json.loads(view["private_metadata"])
    assert meta["source"] == "shortcut" and meta["source_ts"] == message["ts"] and "archives" in meta["source_permalink"]
    desk.driver.view_submission("slackops_open_request", form(priority="P3", title="Reports are empty", description="since"),
                                user_id="U0ACME1", user_team_id="T0ACME", private_metadata=view["private_metadata"])
    wait_for(lambda: desk.store.list(open_only=False))
    req = desk.store.list(open_only=False)[0]
    assert req.source == "shortcut" and req.fields["source_permalink"] == meta["source_permalink"]


def test_customer_escalation_engages_the_escalation_manager_then_a_level_up(desk):
    rid = desk.open_request("U0GLOBEX1", "C0GLOBEXSHARED", priority="S3")
    desk.press("req_customer_escalate", rid, "U0GLOBEX1", user_team_id="T0GLOBEX")
    view = desk.wait_view("slackops_customer_escalate")
    assert "not for changing the business impact" in str(view["blocks"])
    r = desk.submit("slackops_customer_escalate", form(reason=""), "U0GLOBEX1", user_team_id="T0GLOBEX", view=view)
    assert r.json()["errors"]["reason"]
    desk.submit("slackops_customer_escalate", form(reason="No answer in 2 days"), "U0GLOBEX1", user_team_id="T0GLOBEX", view=view)
    wait_for(lambda: desk.store.get(rid).escalation_level == 1)
    dm = wait_for(lambda: desk.fake.messages("D0MGR1"))[0]
    assert "escalated" in dm["text"] and "Open thread" in str(dm["blocks"])
    # the manager acknowledges from the DM: the DM loses its buttons
    desk.driver.block_action("esc_acknowledge", json.dumps({"r": rid, "l": 1}), user_id="U0MGR1", channel_id="D0MGR1",
                             message=dm)
    wait_for(lambda: desk.store.get(rid).escalation_acknowledged == 1)
    wait_for(lambda: "Acknowledged by" in desk.fake.messages("D0MGR1")[0]["text"])
    # still unresolved: the customer goes a level up -> directors
    desk.press("req_customer_escalate", rid, "U0GLOBEX1", user_team_id="T0GLOBEX")
    view = desk.wait_view("slackops_customer_escalate", count=2)
    desk.submit("slackops_customer_escalate", form(reason="Still down"), "U0GLOBEX1", user_team_id="T0GLOBEX", view=view)
    wait_for(lambda: desk.store.get(rid).escalation_level == 2)
    wait_for(lambda: desk.fake.messages("D0DIR1"))


def test_customer_add_info_outside_a_hold(desk):
    rid = desk.open_request()
    desk.press("req_add_info", rid, "U0ACME1", user_team_id="T0ACME")
    view = desk.wait_view("slackops_add_info")
    r = desk.submit("slackops_add_info", form(text="Happens on Windows only"), "U0ACME1", user_team_id="T0ACME", view=view)
    assert r.status == 200 and not r.body
    desk.wait_thread(rid, "added information")


def test_customer_phi_refused_in_added_information(desk):
    rid = desk.open_request()
    desk.press("req_add_info", rid, "U0ACME1", user_team_id="T0ACME")
    view = desk.wait_view("slackops_add_info")
    r = desk.submit("slackops_add_info", form(text="SSN 078-05-1120 fails"), "U0ACME1", user_team_id="T0ACME", view=view)
    assert "Social Security" in r.json()["errors"]["text"]


def test_customer_reply_in_the_thread_answers_a_request_for_information(desk):
    rid = desk.open_request()
    desk.press("req_request_info", rid, "U0AGENT1")
    view = desk.wait_view("slackops_request_info")
    desk.submit("slackops_request_info", form(question="Which browser?"), "U0AGENT1", view=view)
    wait_for(lambda: str(desk.store.get(rid).status) == "waiting_on_customer")
    req = desk.store.get(rid)
    desk.driver.event({"type": "message", "channel": req.channel, "user": "U0ACME1", "user_team": "T0ACME",
                       "text": "Firefox 120", "ts": "1800000002.000001", "thread_ts": req.card_ts})
    wait_for(lambda: str(desk.store.get(rid).status) == "in_progress" or str(desk.store.get(rid).status) == "acknowledged")
    assert desk.store.get(rid).waiting[-1][1] is not None  # the clock runs again


def test_manager_reassigns_from_the_escalation_dm(desk):
    rid = desk.open_request()
    desk.press("req_take", rid, "U0AGENT1")
    wait_for(lambda: desk.store.get(rid).assignee == "U0AGENT1")
    desk.driver.block_action("esc_reassign", json.dumps({"r": rid}), user_id="U0MGR1", channel_id="D0MGR1")
    view = desk.wait_view("slackops_assign")
    r = desk.submit("slackops_assign", {"assignee": {"value": {"type": "users_select", "selected_user": "U0AGENT2"}}},
                    "U0MGR1", view=view)
    assert not r.body, r.text
    wait_for(lambda: desk.store.get(rid).assignee == "U0AGENT2")
