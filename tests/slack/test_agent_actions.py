"""Agents act from the card: take, assign, acknowledge, reclassify (the customer is told,
with an Appeal button), categorize, request information, feature request, critical
notice, resolve, reopen, escalate; and their first reply in the thread is the first response."""

from __future__ import annotations

import json

import pytest

from tests.slack.conftest import form, wait_for


@pytest.fixture(params=["triage", "shared"])
def agent_controls(request) -> str:
    """Every agent action, from the agents' card (triage) and from the one shared card."""
    return request.param


def card_text(desk, rid):
    """The card the agents work from (the agents' card, or the one shared card)."""
    return str(desk.agents_card(rid)["blocks"])


def test_take_then_acknowledge_updates_the_card_and_posts_the_acceptance(desk):
    rid = desk.open_request()
    desk.press("req_acknowledge", rid, "U0AGENT1")
    desk.wait_thread(rid, "has been accepted by <@U0AGENT1>")
    wait_for(lambda: "Acknowledged" in card_text(desk, rid))
    desk.press("req_take", rid, "U0AGENT2")
    wait_for(lambda: desk.store.get(rid).assignee == "U0AGENT2")
    wait_for(lambda: "<@U0AGENT2>" in card_text(desk, rid) and "In progress" in card_text(desk, rid))
    # a second agent pressing Take is told who has it; nothing changes
    desk.press("req_take", rid, "U0AGENT1")
    e = desk.wait_ephemeral("U0AGENT1", "taken by")
    assert "<@U0AGENT2>" in e["text"]
    assert desk.store.get(rid).assignee == "U0AGENT2"


def test_usergroup_members_are_agents(desk):
    rid = desk.open_request()
    desk.press("req_take", rid, "U0AGENT3")
    wait_for(lambda: desk.store.get(rid).assignee == "U0AGENT3")


def test_assign_modal_assigns(desk):
    rid = desk.open_request()
    desk.press("req_assign", rid, "U0AGENT1")
    view = desk.wait_view("slackops_assign")
    r = desk.submit("slackops_assign", {"assignee": {"value": {"type": "users_select", "selected_user": "U0AGENT2"}}},
                    "U0AGENT1", view=view)
    assert r.status == 200 and not r.body
    wait_for(lambda: desk.store.get(rid).assignee == "U0AGENT2")


def test_reclassify_tells_the_customer_with_an_appeal_button_and_appeal_reaches_management(desk):
    rid = desk.open_request(priority="P2")
    desk.press("req_reclassify", rid, "U0AGENT1")
    view = desk.wait_view("slackops_reclassify")
    r = desk.submit("slackops_reclassify", form(priority="P3", reason="Only one user affected <!here>"), "U0AGENT1", view=view)
    assert r.status == 200 and not r.body, r.text
    msg = desk.wait_thread(rid, "reclassified")
    assert "from P2 to P3" in msg["text"]
    blob = str(msg["blocks"])
    assert "req_appeal" in blob and "&lt;!here&gt;" in blob and "<!here>" not in blob
    assert desk.store.get(rid).priority == "P3"
    wait_for(lambda: "P3" in str(desk.card(rid)["blocks"][1]))
    # the customer appeals
    desk.driver.block_action("req_appeal", json.dumps({"r": rid}), user_id="U0ACME1", user_team_id="T0ACME",
                             channel_id="C0ACMESHARED", message=msg)
    view = desk.wait_view("slackops_appeal")
    r = desk.submit("slackops_appeal", form(reason="It blocks our billing"), "U0ACME1", user_team_id="T0ACME", view=view)
    assert r.status == 200 and not r.body, r.text
    desk.wait_thread(rid, "appealed the reclassification")
    dm = wait_for(lambda: desk.fake.messages("D0MGR1"))
    assert "appealed" in dm[0]["text"] and "esc_acknowledge" in str(dm[0]["blocks"])


def test_ixcloud_acceptance_records_the_initial_severity(desk):
    """IXCloud: "At the time [IXCloud] accepts a service request, [it] will record an
    initial severity level ... based on the Severity definitions"."""
    rid = desk.open_request("U0GLOBEX1", "C0GLOBEXSHARED", priority="S2")
    desk.press("req_acknowledge", rid, "U0AGENT1")
    view = desk.wait_view("slackops_accept")
    select = next(b for b in view["blocks"] if b.get("block_id") == "priority")
    assert select["element"]["initial_option"]["value"] == "S2"  # the customer's choice, preselected
    assert "S3" in str(view["blocks"][1])  # with the definitions to judge by
    assert desk.store.get(rid).status == "submitted"  # nothing recorded until the form is sent
    # a customer cannot accept it
    r = desk.submit("slackops_accept", form(priority="S4"), "U0GLOBEX1", user_team_id="T0GLOBEX", view=view)
    assert r.json()["response_action"] == "errors"
    assert desk.store.get(rid).status == "submitted"
    r = desk.submit("slackops_accept", form(priority="S3", reason="one site only, a workaround exists"), "U0AGENT1",
                    view=view)
    assert not r.body
    req = wait_for(lambda: (lambda x: x if x.status == "acknowledged" else None)(desk.store.get(rid)))
    assert req.priority == "S3" and req.acknowledged_at is not None
    assert [(c[1], c[2]) for c in req.priority_changes] == [("S2", "S3")]
    m = desk.wait_thread(rid, "has been accepted by <@U0AGENT1>")
    assert "S3" in m["text"] and "workaround exists" in str(m["blocks"])


def test_acceptance_without_that_rule_is_one_press(desk):
    rid = desk.open_request(priority="P2")  # Interopion
    desk.press("req_acknowledge", rid, "U0AGENT1")
    wait_for(lambda: str(desk.store.get(rid).status) == "acknowledged")
    assert desk.store.get(rid).priority == "P2"
    assert not [c for c in desk.fake.calls if c.method == "views.open" and "slackops_accept" in str(c.params)]


def test_ixcloud_upgrade_needs_a_justification_inline(desk):
    rid = desk.open_request("U0GLOBEX1", "C0GLOBEXSHARED", priority="S3")
    desk.press("req_reclassify", rid, "U0AGENT1")
    view = desk.wait_view("slackops_reclassify")
    r = desk.submit("slackops_reclassify", form(priority="S2", reason="worse"), "U0AGENT1", view=view)
    assert r.json()["response_action"] == "errors" and "justification" in r.json()["errors"]["justification"]
    assert desk.store.get(rid).priority == "S3"
    r = desk.submit("slackops_reclassify", form(priority="S2", reason="worse", justification="now all sites"), "U0AGENT1", view=view)
    assert not r.body
    wait_for(lambda: desk.store.get(rid).priority == "S2")


def test_categorize_interzen_in_italian(desk):
    rid = desk.open_request("U0ROSSI1", "C0ROSSISHARED", priority="P3", language="it")
    desk.press("req_categorize", rid, "U0AGENT1")
    view = desk.wait_view("slackops_categorize")
    desk.submit("slackops_categorize", form(category="help_desk"), "U0AGENT1", view=view)
    wait_for(lambda: desk.store.get(rid).category == "help_desk")
    desk.wait_thread(rid, "ha impostato la categoria")


def test_request_info_pauses_and_the_customers_answer_resumes(desk):
    rid = desk.open_request()
    desk.press("req_request_info", rid, "U0AGENT1")
    view = desk.wait_view("slackops_request_info")
    desk.submit("slackops_request_info", form(question="Which browser?"), "U0AGENT1", view=view)
    wait_for(lambda: str(desk.store.get(rid).status) == "waiting_on_customer")
    msg = desk.wait_thread(rid, "needs more information")
    assert "req_add_info" in str(msg["blocks"])
    desk.press("req_add_info", rid, "U0ACME1", user_team_id="T0ACME")
    view = desk.wait_view("slackops_add_info")
    desk.submit("slackops_add_info", form(text="Firefox 120"), "U0ACME1", user_team_id="T0ACME", view=view)
    wait_for(lambda: str(desk.store.get(rid).status) != "waiting_on_customer")
    desk.wait_thread(rid, "added information")


def test_feature_request_logs_and_closes_interopion(desk):
    rid = desk.open_request()
    desk.press("req_feature_request", rid, "U0AGENT1")  # chosen from the card's menu: it asks first
    asked = desk.wait_ephemeral("U0AGENT1", "feature request")
    button = asked["blocks"][1]["elements"][0]
    assert button["action_id"] == "req_feature_request" and button["confirm"]
    assert str(desk.store.get(rid).status) != "closed"
    desk.driver.block_action("req_feature_request", button["value"], user_id="U0AGENT1",
                             channel_id=desk.store.get(rid).triage_channel)
    wait_for(lambda: str(desk.store.get(rid).status) == "closed")
    assert desk.store.get(rid).resolution == "feature_request"
    desk.wait_thread(rid, "feature request")
    desk.wait_thread(rid, "is closed")
    wait_for(lambda: "req_take" not in card_text(desk, rid))


def test_critical_notice_prefilled_and_posted_to_contacts(desk):
    rid = desk.open_request(priority="P1", extra={"justification": "all clinics down"})
    assert "req_critical_notice" in card_text(desk, rid)
    desk.press("req_critical_notice", rid, "U0AGENT1")
    view = desk.wait_view("slackops_critical_notice")
    initial = view["blocks"][-1]["element"]["initial_value"]
    assert "critical issue" in initial
    desk.submit("slackops_critical_notice", form(notice_text=initial), "U0AGENT1", view=view)
    msg = desk.wait_thread(rid, "Critical-issue notice")
    assert "<@U0ACME1>" in msg["text"]
    assert desk.store.get(rid).critical_notice_at is not None


def test_resolve_confirm_closes_with_closure_notice_and_reopen(desk):
    rid = desk.open_request()
    desk.press("req_resolve", rid, "U0AGENT1")
    view = desk.wait_view("slackops_resolve")
    options = [o["value"] for o in view["blocks"][0]["element"]["options"]]
    assert options == ["fix", "workaround", "other"]  # Interopion: no "not an error"
    desk.submit("slackops_resolve", form(resolution="workaround", note="Use the CSV export"), "U0AGENT1", view=view)
    wait_for(lambda: str(desk.store.get(rid).status) == "resolved")
    msg = desk.wait_thread(rid, "resolved")
    assert "req_confirm_resolved" in str(msg["blocks"])
    # an agent reopens
    desk.press("req_reopen", rid, "U0AGENT1")
    view = desk.wait_view("slackops_reopen")
    desk.submit("slackops_reopen", form(reason="Still failing"), "U0AGENT1", view=view)
    wait_for(lambda: desk.store.get(rid).is_open)
    # resolve again; the customer confirms
    desk.press("req_resolve", rid, "U0AGENT1")
    view = desk.wait_view("slackops_resolve", count=2)
    desk.submit("slackops_resolve", form(resolution="fix", note="Patched"), "U0AGENT1", view=view)
    wait_for(lambda: str(desk.store.get(rid).status) == "resolved")
    desk.press("req_confirm_resolved", rid, "U0ACME1", user_team_id="T0ACME")
    wait_for(lambda: str(desk.store.get(rid).status) == "closed")
    desk.wait_thread(rid, "is closed")


def test_interactor_may_resolve_as_not_an_error(desk):
    desk.config.accounts.append(type(desk.config.accounts[0]).model_validate(
        {"id": "hanil", "name": "Hanil", "channel": "C0HANILSHARED", "policy": "interactor", "calendar": "kr",
         "contacts": ["U0HANIL1"]}))
    desk.fake.add_user("U0HANIL1", team_id="T0HANIL", is_stranger=True)
    rid = desk.open_request("U0HANIL1", "C0HANILSHARED", priority="S3")
    desk.press("req_resolve", rid, "U0AGENT1")
    view = desk.wait_view("slackops_resolve")
    assert "not_an_error" in [o["value"] for o in view["blocks"][0]["element"]["options"]]
    desk.submit("slackops_resolve", form(resolution="not_an_error", note="Works as designed"), "U0AGENT1", view=view)
    wait_for(lambda: desk.store.get(rid).resolution == "not_an_error")


def test_agent_escalation_dms_the_escalation_manager(desk):
    rid = desk.open_request()
    desk.press("req_escalate", rid, "U0AGENT1")
    view = desk.wait_view("slackops_escalate")
    desk.submit("slackops_escalate", form(reason="Customer is a hospital"), "U0AGENT1", view=view)
    wait_for(lambda: desk.store.get(rid).escalation_level == 1)
    dm = wait_for(lambda: desk.fake.messages("D0MGR1"))
    assert "level 1" in dm[0]["text"]


def test_agents_first_reply_in_the_thread_is_the_first_response(desk):
    rid = desk.open_request()
    req = desk.store.get(rid)
    assert req.first_response_at is None
    # a customer's reply is not a first response
    desk.driver.event({"type": "message", "channel": req.channel, "user": "U0ACME1", "user_team": "T0ACME",
                       "text": "any news?", "ts": "1800000000.000100", "thread_ts": req.card_ts})
    desk.driver.event({"type": "message", "channel": req.channel, "user": "U0AGENT1", "user_team": "T0VENDOR",
                       "text": "Looking now", "ts": "1800000000.000200", "thread_ts": req.card_ts})
    wait_for(lambda: desk.store.get(rid).first_response_at is not None)
    history = [e.type for e in desk.store.history(rid)]
    assert history.count("first_response") == 1
    # a later reply changes nothing
    desk.driver.event({"type": "message", "channel": req.channel, "user": "U0AGENT2", "text": "more",
                       "ts": "1800000000.000300", "thread_ts": req.card_ts})
    import time
    time.sleep(0.3)
    assert [e.type for e in desk.store.history(rid)].count("first_response") == 1


def test_refresh_card_for_the_workers(desk):
    """After a change made outside the app (an auto-upgrade), the workers re-render the card."""
    from datetime import UTC, datetime

    from slackops.requests import Event
    from slackops.slack.flows import refresh_card

    rid = desk.open_request(priority="P3")
    desk.store.apply(rid, Event("reclassified", "policy", datetime.now(UTC), {"to": "P2", "reason": "auto-upgrade", "by": "policy"}))
    refresh_card(desk.store, desk.app.client, rid)
    assert "P2" in str(desk.card(rid)["blocks"][1])
