"""Acceptance is one thing however it is done (Take, Assign, Acknowledge) and does what the
policy asks of it; customers ask for a higher priority with a justification, and agents
accept or decline it with a reason the customer sees; S1 needs a 24x7 contact throughout."""

from __future__ import annotations

import json
import time

import pytest

from tests.slack.conftest import form, wait_for

GLOBEX = ("U0GLOBEX1", "C0GLOBEXSHARED")
ROSSI = ("U0ROSSI1", "C0ROSSISHARED")


def card_text(desk, rid):
    return str(desk.card(rid)["blocks"])


def vendor_ping(desk, rid, channel):
    """The upgrade request in the vendor's channel, with Accept and Decline; the customer's
    thread is told of it without them (agents work from the agents' card's side)."""
    msg = wait_for(lambda: next((m for m in desk.fake.messages(channel) if rid in m.get("text", "")
                                 and "req_upgrade_accept" in str(m.get("blocks"))), None),
                   what=f"the upgrade request of {rid} in {channel}")
    assert "req_upgrade_decline" in str(msg["blocks"])
    told = desk.wait_thread(rid, "asks to raise")
    assert "Support will accept or decline" in str(told["blocks"])
    assert "req_upgrade_accept" not in str(told["blocks"]) and "req_upgrade_decline" not in str(told["blocks"])
    return msg, told


def test_take_on_ixcloud_asks_for_the_initial_severity_first(desk):
    rid = desk.open_request(*GLOBEX, priority="S2")
    desk.press("req_take", rid, "U0AGENT1")
    view = desk.wait_view("slackops_accept")
    select = next(b for b in view["blocks"] if b.get("block_id") == "priority")
    assert select["element"]["initial_option"]["value"] == "S2"
    time.sleep(0.3)
    assert desk.store.get(rid).assignee is None  # nothing until the form is sent
    r = desk.submit("slackops_accept", form(priority="S3", reason="a single site"), "U0AGENT1", view=view)
    assert r.status == 200 and not r.body, r.text
    req = wait_for(lambda: (lambda x: x if x.assignee else None)(desk.store.get(rid)))
    assert (req.assignee, req.priority, str(req.status)) == ("U0AGENT1", "S3", "in_progress")
    m = desk.wait_thread(rid, "has been accepted by <@U0AGENT1>")
    assert "S3" in m["text"]
    # once accepted, Take is one press again (another agent takes it over only through Assign)
    desk.press("req_take", rid, "U0AGENT2")
    desk.wait_ephemeral("U0AGENT2", "taken by")


def test_assign_on_ixcloud_asks_for_the_initial_severity_too(desk):
    rid = desk.open_request(*GLOBEX, priority="S3")
    desk.press("req_assign", rid, "U0AGENT1")
    view = desk.wait_view("slackops_assign")
    assert [b["block_id"] for b in view["blocks"]] == ["assignee", "priority"]
    values = {"assignee": {"value": {"type": "users_select", "selected_user": "U0AGENT2"}}, **form(priority="S4")}
    r = desk.submit("slackops_assign", values, "U0AGENT1", view=view)
    assert r.status == 200 and not r.body, r.text
    req = wait_for(lambda: (lambda x: x if x.assignee else None)(desk.store.get(rid)))
    assert (req.assignee, req.priority) == ("U0AGENT2", "S4") and req.acknowledged_at is not None
    # the customer is told who has it (the assignee, not who pressed), with the initial severity
    m = desk.wait_thread(rid, "has been accepted by <@U0AGENT2>")
    assert "Initial priority: S4" in m["text"]
    wait_for(lambda: desk.store.get(rid).first_response_at, what="the acknowledgement recorded as sent")
    assert [e.type for e in desk.store.history(rid)] == ["submitted", "acknowledged", "first_response"]


def test_s1_at_acceptance_needs_a_24x7_contact(desk):
    rid = desk.open_request(*GLOBEX, priority="S2")
    desk.press("req_acknowledge", rid, "U0AGENT1")
    view = desk.wait_view("slackops_accept")
    r = desk.submit("slackops_accept", form(priority="S1"), "U0AGENT1", view=view)
    assert "24x7" in r.json()["errors"]["priority"]
    assert str(desk.store.get(rid).status) == "submitted"


def test_take_on_interzen_posts_the_acceptance_notice_in_italian(desk):
    rid = desk.open_request(*ROSSI, priority="P3", title="Fatture non generate", description="Da ieri sera")
    desk.press("req_take", rid, "U0AGENT1")
    m = desk.wait_thread(rid, "è stata presa in carico da <@U0AGENT1>")
    assert m["text"].startswith("<@U0ROSSI1>,")  # the customer is notified, as the policy says
    # closure is notified the same way, in Italian
    desk.press("req_resolve", rid, "U0AGENT1")
    view = desk.wait_view("slackops_resolve")
    desk.submit("slackops_resolve", form(resolution="fix", note="Corretto"), "U0AGENT1", view=view)
    wait_for(lambda: str(desk.store.get(rid).status) == "resolved")
    desk.press("req_confirm_resolved", rid, "U0ROSSI1", user_team_id="T0ROSSI")
    m = desk.wait_thread(rid, "è chiusa")
    assert m["text"].startswith("<@U0ROSSI1>,")


@pytest.mark.parametrize("action", ["req_take", "req_acknowledge"])
def test_accepting_tells_the_customer_who_has_it_and_that_is_the_first_response(desk, action):
    rid = desk.open_request(priority="P2")
    desk.press(action, rid, "U0AGENT1")
    m = desk.wait_thread(rid, "has been accepted by <@U0AGENT1>, who is working on it.")
    assert "Initial priority" not in m["text"]  # Interopion does not set one at acceptance
    req = wait_for(lambda: (r := desk.store.get(rid)).first_response_at and r, what="the first response recorded")
    # met when the message was sent, not when the button was pressed
    assert req.first_response_at >= req.acknowledged_at
    fr = next(c for c in desk.store.timeline(req, desk.clock()) if c.kind == "first_response")
    assert fr.state == "met"
    assert [h.type for h in desk.store.history(rid)].count("first_response") == 1
    wait_for(lambda: "first response" in str(desk.agents_card(rid)["blocks"]).lower()
             and ":white_check_mark:" in str(desk.agents_card(rid)["blocks"]), what="the card shows it met")


def ask_upgrade(desk, rid, to, justification, count=1):
    desk.press("req_request_upgrade", rid, GLOBEX[0], user_team_id="T0GLOBEX")
    view = desk.wait_view("slackops_request_upgrade", count=count)
    values = form(priority=to, justification=justification)
    return view, desk.submit("slackops_request_upgrade", values, GLOBEX[0], user_team_id="T0GLOBEX", view=view)


def test_customer_upgrade_request_needs_a_justification_and_is_accepted(desk):
    rid = desk.open_request(*GLOBEX, priority="S3")
    assert "req_request_upgrade" in card_text(desk, rid)
    view, r = ask_upgrade(desk, rid, "S1", None)
    options = [o["value"] for o in next(b for b in view["blocks"] if b.get("block_id") == "priority")["element"]["options"]]
    assert options == ["S1", "S2"]  # only more urgent ones
    assert r.json()["errors"] == {"justification": "Say how the impact has increased: support needs it to raise the priority."}
    assert "upgrade_to" not in desk.store.get(rid).notes
    r = desk.submit("slackops_request_upgrade", form(priority="S1", justification="All <!channel> sites down now"),
                    GLOBEX[0], user_team_id="T0GLOBEX", view=view)
    assert r.status == 200 and not r.body, r.text
    msg, told = vendor_ping(desk, rid, "C0URGENT")  # the channel of the priority asked for
    assert "from S3 to S1" in told["text"] and "&lt;!channel&gt;" in str(told["blocks"])
    assert "from S3 to S1" in msg["text"] and "&lt;!channel&gt;" in str(msg["blocks"])
    wait_for(lambda: "The customer asks for S1" in card_text(desk, rid) and "req_request_upgrade" not in card_text(desk, rid))
    # the customer cannot answer their own request
    desk.driver.block_action("req_upgrade_accept", json.dumps({"r": rid}), user_id=GLOBEX[0], user_team_id="T0GLOBEX",
                             channel_id="C0URGENT", message=msg)
    desk.wait_ephemeral(GLOBEX[0], "Only support agents")
    # S1 needs a 24x7 contact: refused until the account names one
    desk.driver.block_action("req_upgrade_accept", json.dumps({"r": rid}), user_id="U0AGENT1", channel_id="C0URGENT",
                             message=msg)
    desk.wait_ephemeral("U0AGENT1", "24x7")
    assert desk.store.get(rid).priority == "S3"
    desk.config.account("globex").contacts_24x7 = ["U0GLOBEX1"]
    desk.driver.block_action("req_upgrade_accept", json.dumps({"r": rid}), user_id="U0AGENT1", channel_id="C0URGENT",
                             message=msg)
    req = wait_for(lambda: (lambda x: x if x.priority == "S1" else None)(desk.store.get(rid)))
    ev = [e for e in desk.store.history(rid) if e.type == "reclassified"][-1]
    assert ev.data["justification"] == "All <!channel> sites down now" and ev.data["requested"] is True
    assert "upgrade_to" not in req.notes
    desk.wait_thread(rid, "reclassified *")


def test_customer_upgrade_request_declined_with_a_reason(desk):
    rid = desk.open_request(*GLOBEX, priority="S3")
    _view, r = ask_upgrade(desk, rid, "S2", "Two sites now")
    assert not r.body, r.text
    msg, _told = vendor_ping(desk, rid, "C0HIGH")
    desk.driver.block_action("req_upgrade_decline", json.dumps({"r": rid}), user_id="U0AGENT1", channel_id="C0HIGH",
                             message=msg)
    view = desk.wait_view("slackops_upgrade_decline")
    r = desk.submit("slackops_upgrade_decline", form(reason=""), "U0AGENT1", view=view)
    assert r.json()["errors"] == {"reason": "Please fill this in."}
    r = desk.submit("slackops_upgrade_decline", form(reason="Both sites have the documented fallback"), "U0AGENT1",
                    view=view)
    assert not r.body, r.text
    told = desk.wait_thread(rid, "kept *")
    assert "you asked for S2" in told["text"] and "documented fallback" in str(told["blocks"])
    req = desk.store.get(rid)
    assert req.priority == "S3" and "upgrade_to" not in req.notes
    # the customer may ask again
    wait_for(lambda: "req_request_upgrade" in card_text(desk, rid))


def test_reclassifying_to_s1_needs_a_24x7_contact(desk):
    rid = desk.open_request(*GLOBEX, priority="S3")
    desk.press("req_reclassify", rid, "U0AGENT1")
    view = desk.wait_view("slackops_reclassify")
    r = desk.submit("slackops_reclassify", form(priority="S1", reason="outage", justification="all sites"),
                    "U0AGENT1", view=view)
    assert "24x7" in r.json()["errors"]["priority"]
    assert desk.store.get(rid).priority == "S3"
