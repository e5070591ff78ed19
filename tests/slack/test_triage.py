"""agent_controls: triage. A request opened in a shared channel gets two cards: the customer
card there (only the customer's buttons) and the agents' card in the vendor's triage
channel (clocks, flags, every agent button, a link to the customer's thread). Agents act
from theirs and both change; replies in its thread are internal notes."""

from __future__ import annotations

import json
import time

import pytest

from slackops.slack.ids import ActionId
from tests.slack.conftest import form, wait_for

AGENT_IDS = {ActionId.TAKE, ActionId.ASSIGN, ActionId.ACKNOWLEDGE, ActionId.RECLASSIFY, ActionId.CATEGORIZE,
             ActionId.REQUEST_INFO, ActionId.FEATURE_REQUEST, ActionId.CRITICAL_NOTICE, ActionId.RESOLVE,
             ActionId.REOPEN, ActionId.ESCALATE, ActionId.POST_UPDATE, ActionId.RECORD_PLAN, ActionId.WORKAROUND,
             ActionId.IDENTIFIED, ActionId.UPGRADE_ACCEPT, ActionId.UPGRADE_DECLINE, ActionId.SERVICE_AFFECTED}
CUSTOMER_IDS = {ActionId.ADD_INFO, ActionId.CUSTOMER_ESCALATE, ActionId.APPEAL, ActionId.CONFIRM_RESOLVED,
                ActionId.REQUEST_UPGRADE}


def buttons(message: dict) -> list[dict]:
    """Every button of a message, in order."""
    out = []
    for b in message.get("blocks") or []:
        if b.get("type") == "actions":
            out.extend(e for e in b["elements"] if e.get("type") == "button")
        elif b.get("type") == "section" and (b.get("accessory") or {}).get("type") == "button":
            out.append(b["accessory"])
    return out


def action_ids(message: dict) -> set[str]:
    """The actions a message offers: its buttons and its "More actions" menu's options."""
    menu = {json.loads(o["value"])["a"] for blk in message.get("blocks") or [] for e in blk.get("elements") or []
            if e.get("action_id") == "req_more" for o in e["options"]}
    return {b["action_id"] for b in buttons(message)} | menu


def test_a_request_opened_in_the_shared_channel_posts_both_cards(desk):
    rid = desk.open_request(priority="P2", title="Exports fail <!channel>")
    req = desk.store.get(rid)
    customer, agents = desk.card(rid), desk.agents_card(rid)
    # the customer card: in the shared channel, the customer's buttons only
    assert req.card_channel is None and req.channel == "C0ACMESHARED"
    # (P2 of interopion: P1 is more urgent, so the customer may ask for it)
    assert action_ids(customer) == {ActionId.ADD_INFO, ActionId.CUSTOMER_ESCALATE, ActionId.REQUEST_UPGRADE}
    blob = str(customer["blocks"])
    assert "ACME-1" in blob and "Submitted" in blob and "You will hear from us by" in blob
    assert "Our support team" in blob  # who is on it, before anyone takes it
    names = [b["text"]["text"] for b in buttons(customer)]
    assert names == ["Add information", "Escalate to a manager", "Ask for higher priority"]
    # the agents' card: in the priority's channel (P2 is rank 2), with every agent action
    assert req.triage_channel == "C0HIGH" and req.triage_ts
    assert {ActionId.TAKE, ActionId.ASSIGN, ActionId.ACKNOWLEDGE, ActionId.RECLASSIFY, ActionId.REQUEST_INFO,
            ActionId.FEATURE_REQUEST, ActionId.RESOLVE, ActionId.ESCALATE} <= action_ids(agents)
    assert not action_ids(agents) & CUSTOMER_IDS
    ablob = json.dumps(agents["blocks"])
    assert "SLA clocks" in ablob and "first response due" in ablob
    assert "the customer does not see it" in ablob and "Acme Health" in ablob
    assert agents["blocks"][0]["text"]["type"] == "plain_text"  # the title pings nobody
    assert "<!channel>" not in json.dumps(agents["blocks"][1:]) and "&lt;!channel&gt;" in agents["text"]
    link = next(b for b in buttons(agents) if b["action_id"] == ActionId.OPEN_THREAD)
    assert link["url"] == f"https://slack.com/archives/C0ACMESHARED/p{req.card_ts.replace('.', '')}"
    # each card once; the conversation (the "received" notice) is in the customer's thread only
    desk.settle()
    assert [m["ts"] for m in desk.fake.messages("C0HIGH") if "triage|" in str(m.get("metadata"))] == [req.triage_ts]
    assert len([m for m in desk.fake.messages("C0ACMESHARED") if "card|" in str(m.get("metadata"))]) == 1
    desk.wait_thread(rid, "we have received")
    assert desk.fake.messages("C0HIGH", thread_ts=req.triage_ts) == []


def test_an_agent_acting_from_the_agents_card_updates_both(desk):
    rid = desk.open_request(priority="P2")
    r = desk.press("req_take", rid, "U0AGENT1", on="agents")
    assert r.status == 200
    wait_for(lambda: desk.store.get(rid).assignee == "U0AGENT1")
    wait_for(lambda: "<@U0AGENT1>" in str(desk.card(rid)["blocks"]) and "In progress" in str(desk.card(rid)["blocks"]),
             what="the customer card showing who is on it")
    wait_for(lambda: "<@U0AGENT1>" in str(desk.agents_card(rid)["blocks"]), what="the agents' card updated")
    assert ActionId.TAKE not in action_ids(desk.agents_card(rid))
    # a form opened from the agents' card: the change is told in the customer's thread
    desk.press("req_request_info", rid, "U0AGENT1", on="agents")
    view = desk.wait_view("slackops_request_info")
    desk.submit("slackops_request_info", form(question="Which browser?"), "U0AGENT1", view=view)
    desk.wait_thread(rid, "needs more information")
    wait_for(lambda: "Waiting on the customer" in json.dumps(desk.agents_card(rid)["blocks"]), what="the waiting flag")
    customer = desk.card(rid)
    assert "waiting for the information" in json.dumps(customer["blocks"])
    heading = next(b for i, b in enumerate(customer["blocks"]) if customer["blocks"][i + 1:][:1]
                   and customer["blocks"][i + 1]["type"] == "actions")
    assert heading["elements"][0]["text"] == "What you can do:"
    req = desk.store.get(rid)
    assert desk.fake.messages(req.triage_channel, thread_ts=req.triage_ts) == []


def test_customers_see_no_agent_button_anywhere(desk):
    rid = desk.open_request(priority="P2")
    desk.press("req_acknowledge", rid, "U0AGENT1")
    desk.press("req_reclassify", rid, "U0AGENT1")
    view = desk.wait_view("slackops_reclassify")
    desk.submit("slackops_reclassify", form(priority="P3", reason="one user affected"), "U0AGENT1", view=view)
    desk.wait_thread(rid, "reclassified")
    wait_for(lambda: ActionId.APPEAL in action_ids(desk.card(rid)), what="the appeal on the customer card")
    desk.press("req_resolve", rid, "U0AGENT1")
    view = desk.wait_view("slackops_resolve", count=1)
    desk.submit("slackops_resolve", form(resolution="fix", note="patched"), "U0AGENT1", view=view)
    wait_for(lambda: ActionId.CONFIRM_RESOLVED in action_ids(desk.card(rid)), what="confirm resolved")
    desk.settle()
    seen: set[str] = set()
    for m in desk.shared_messages("C0ACMESHARED"):  # cards and every thread reply
        seen |= action_ids(m)
        names = [b["text"]["text"] for b in buttons(m)]
        assert len(names) == len(set(names)), names
    assert seen and not seen & AGENT_IDS, seen
    assert seen <= CUSTOMER_IDS, seen
    # the agents' card, meanwhile, offers Reopen
    wait_for(lambda: ActionId.REOPEN in action_ids(desk.agents_card(rid)))


def test_an_internal_note_is_not_a_first_response(desk):
    rid = desk.open_request(priority="P2")
    req = desk.store.get(rid)
    note = {"type": "message", "channel": req.triage_channel, "user": "U0AGENT1", "user_team": "T0VENDOR",
            "text": "Looks like the export worker again", "ts": "1800000000.000100", "thread_ts": req.triage_ts}
    r = desk.driver.event(note)
    assert r.status == 200
    time.sleep(0.5)
    desk.settle()
    req = desk.store.get(rid)
    assert req.first_response_at is None
    assert "first_response" not in [e.type for e in desk.store.history(rid)]
    # the same agent answering in the customer's thread is the first response
    desk.driver.event({**note, "channel": req.channel, "thread_ts": req.card_ts, "ts": "1800000000.000200",
                       "text": "We are looking at it"})
    wait_for(lambda: desk.store.get(rid).first_response_at is not None, what="the first response")
    assert [e.type for e in desk.store.history(rid)].count("first_response") == 1


def test_customer_buttons_reach_their_listeners_from_the_customer_card(desk):
    rid = desk.open_request(priority="P2")
    desk.press("req_add_info", rid, "U0ACME1", user_team_id="T0ACME")
    view = desk.wait_view("slackops_add_info")
    desk.submit("slackops_add_info", form(text="It fails at 40% every night"), "U0ACME1", user_team_id="T0ACME",
                view=view)
    desk.wait_thread(rid, "added information")
    # an agent's button pressed by an agent on the customer card's place still works (same ids)
    r = desk.press("req_take", rid, "U0AGENT2", on="customer")
    assert r.status == 200
    wait_for(lambda: desk.store.get(rid).assignee == "U0AGENT2")


class TestShared:
    """agent_controls: shared keeps the one card with everyone's buttons."""

    @pytest.fixture
    def agent_controls(self) -> str:
        return "shared"

    def test_one_card_with_both_sets_of_buttons_and_no_agents_card(self, desk):
        rid = desk.open_request(priority="P2")
        req = desk.store.get(rid)
        assert req.triage_ts is None and not desk.has_agents_card(rid)
        card = desk.card(rid)
        ids = action_ids(card)
        assert {ActionId.TAKE, ActionId.ESCALATE} <= ids and {ActionId.ADD_INFO, ActionId.CUSTOMER_ESCALATE} <= ids
        names = [b["text"]["text"] for b in buttons(card)]
        assert len(names) == len(set(names)), names  # "Escalate" and "Escalate to a manager"
        assert "first response due" in str(card["blocks"])
        desk.settle()
        assert desk.fake.messages("C0HIGH") == []
