"""PHI beyond the form (Interopion): a customer's thread reply that looks like PHI gets an
ephemeral warning asking its author to delete it, and the card a flag for agents; "Add
information" refuses it on the form's field."""

from __future__ import annotations

import time

from tests.slack.conftest import form, wait_for


def test_a_thread_reply_with_an_ssn_is_flagged(desk):
    rid = desk.open_request()
    req = desk.store.get(rid)
    reply = {"type": "message", "channel": req.channel, "user": "U0ACME1", "user_team": "T0ACME",
             "text": "The patient's SSN is 123-45-6789, she cannot log in", "ts": "1800000000.000500",
             "thread_ts": req.card_ts}
    desk.driver.event(reply, event_id="Ev0PHI00001")
    e = desk.wait_ephemeral("U0ACME1", "Social Security number")
    assert "delete" in e["text"] and "6789" not in e["text"]
    wait_for(lambda: desk.store.get(rid).notes.get("phi") == "1800000000.000500")
    # the flag is for agents: on their card, not on the customer's (in triage mode)
    wait_for(lambda: "protected health information" in str(desk.agents_card(rid)["blocks"]))
    assert desk.has_agents_card(rid) and "protected health information" not in str(desk.card(rid)["blocks"])
    assert "123-45-6789" not in str(desk.store.history(rid))  # the value is not kept
    # a redelivery warns and flags once
    desk.driver.event(reply, event_id="Ev0PHI00001", retry_num=1)
    time.sleep(0.5)
    assert len(desk.ephemerals("U0ACME1")) == 1
    assert [e.type for e in desk.store.history(rid)].count("phi_flagged") == 1


def test_a_harmless_reply_and_an_agents_reply_are_not_flagged(desk):
    rid = desk.open_request()
    req = desk.store.get(rid)
    desk.driver.event({"type": "message", "channel": req.channel, "user": "U0ACME1", "user_team": "T0ACME",
                       "text": "Order 123-456-789 fails since version 12.3.4", "ts": "1800000000.000600",
                       "thread_ts": req.card_ts})
    desk.driver.event({"type": "message", "channel": req.channel, "user": "U0AGENT1", "user_team": "T0VENDOR",
                       "text": "Call me at 555 123 4567", "ts": "1800000000.000700", "thread_ts": req.card_ts})
    wait_for(lambda: desk.store.get(rid).first_response_at is not None)
    time.sleep(0.5)
    assert "phi" not in desk.store.get(rid).notes and not desk.ephemerals("U0ACME1")


def test_add_information_refuses_phi_on_the_field(desk):
    rid = desk.open_request()
    desk.press("req_add_info", rid, "U0ACME1", user_team_id="T0ACME")
    view = desk.wait_view("slackops_add_info")
    r = desk.submit("slackops_add_info", form(text="MRN 00123456 is the affected chart"), "U0ACME1",
                    user_team_id="T0ACME", view=view)
    assert "medical record number" in r.json()["errors"]["text"]
    assert "info_provided" not in [e.type for e in desk.store.history(rid)]
