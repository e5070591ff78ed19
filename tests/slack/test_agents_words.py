"""What agents read and press: the next two or three actions as buttons and the rest in one
menu, the waiting state naming who is waited on, a required field that does not also say
optional, its error where the person looks, and a closed request's old buttons answering
that it is closed."""

from __future__ import annotations

import json

from tests.slack.conftest import form, menu_option, wait_for


def controls(card: dict) -> tuple[list[str], list[str]]:
    """(the buttons' action ids, the menu's actions) of a card's agents' row."""
    buttons: list[str] = []
    menu: list[str] = []
    for block in card["blocks"]:
        if block.get("block_id") != "card_agent_actions":
            continue
        for el in block["elements"]:
            if el["type"] == "button" and el["action_id"] != "open_thread":  # the link to the customer's thread
                buttons.append(el["action_id"])
            elif el["action_id"] == "req_more":
                menu = [json.loads(o["value"])["a"] for o in el["options"]]
    return buttons, menu


def test_the_card_shows_the_next_actions_and_the_rest_in_a_menu(desk):
    rid = desk.open_request()
    buttons, menu = controls(desk.agents_card(rid))
    # before anyone has it, Take (Assign beside it); Acknowledge, the third way to accept, in the menu
    assert buttons == ["req_take", "req_assign"]
    assert "req_acknowledge" in menu and "req_take" not in menu
    assert {"req_reclassify", "req_escalate", "req_resolve", "req_feature_request", "req_service_affected"} <= set(menu)
    desk.press("req_take", rid, "U0AGENT1")
    wait_for(lambda: controls(desk.agents_card(rid))[0][0] == "req_post_update", what="the card after Take")
    buttons, menu = controls(desk.agents_card(rid))
    assert buttons == ["req_post_update", "req_request_info", "req_resolve"]
    assert "req_take" not in menu and "req_acknowledge" not in menu and "req_assign" in menu
    # a choice from the menu is its button pressed: Reclassify opens its form
    desk.press("req_reclassify", rid, "U0AGENT1")
    assert desk.wait_view("slackops_reclassify")["callback_id"] == "slackops_reclassify"
    # the service impact is a choice of the menu too, and the card shows it
    desk.press("req_service_affected", rid, "U0AGENT1")  # the first impact option: degraded
    wait_for(lambda: desk.store.get(rid).fields.get("service_impact") == "degraded", what="the impact recorded")


def test_waiting_says_who_is_waited_on(desk):
    rid = desk.open_request()
    desk.press("req_take", rid, "U0AGENT1")
    wait_for(lambda: desk.store.get(rid).assignee)
    desk.press("req_request_info", rid, "U0AGENT1")
    view = desk.wait_view("slackops_request_info")
    desk.submit("slackops_request_info", form(question="Which browser?"), "U0AGENT1", view=view)
    wait_for(lambda: "Waiting on the customer" in json.dumps(desk.agents_card(rid)["blocks"]), what="agents' card")
    assert "Waiting on you" not in json.dumps(desk.agents_card(rid)["blocks"])
    wait_for(lambda: "Waiting on you" in json.dumps(desk.card(rid)["blocks"]), what="the customer's card")
    buttons, _ = controls(desk.agents_card(rid))
    assert buttons == ["req_post_update", "req_resolve"]  # the question is out: no second one


def test_the_justification_is_not_required_and_optional_at_once_and_its_error_is_in_sight(desk):
    desk.driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED")
    view = desk.wait_view("slackops_open_request")
    blocks = view["blocks"]
    field = next(b for b in blocks if b.get("block_id") == "justification")
    assert field["optional"] is True and "required" not in field["label"]["text"].lower()
    assert "Required when you choose P1" in field["hint"]["text"]
    ids = [b.get("block_id") for b in blocks]
    assert ids.index("justification") == ids.index("priority") + 1
    r = desk.driver.view_submission("slackops_open_request", form(priority="P1", title="All down", description="x"),
                                    user_id="U0ACME1", private_metadata=view["private_metadata"])
    assert r.json()["response_action"] == "errors" and set(r.json()["errors"]) == {"justification"}


def test_a_closed_requests_buttons_answer_that_it_is_closed(desk):
    rid = desk.open_request()
    desk.press("req_resolve", rid, "U0AGENT1")
    view = desk.wait_view("slackops_resolve")
    desk.submit("slackops_resolve", form(resolution="fix", note="Patched"), "U0AGENT1", view=view)
    resolved = desk.wait_thread(rid, "resolved")
    desk.press("req_confirm_resolved", rid, "U0ACME1", user_team_id="T0ACME")
    wait_for(lambda: str(desk.store.get(rid).status) == "closed")
    desk.settle()
    history = len(desk.store.history(rid))
    # the "Confirm resolved" left in the thread, pressed again
    req = desk.store.get(rid)
    desk.driver.block_action("req_confirm_resolved", json.dumps({"r": rid}), user_id="U0ACME1", user_team_id="T0ACME",
                             channel_id=req.card_channel or req.channel, message=resolved)
    told = desk.wait_ephemeral("U0ACME1", "is closed")
    assert "Open a new request" in told["text"]
    assert len(desk.store.history(rid)) == history
    assert menu_option(desk.agents_card(rid), "req_take") is None


def test_the_desk_learns_the_names_of_the_people_who_act(desk):
    from slackops.requests.people import names

    desk.fake.add_user("U0AGENT1", name="Alice Park")  # as Slack's users.info tells of her
    rid = desk.open_request()
    desk.press("req_take", rid, "U0AGENT1")
    wait_for(lambda: names(desk.store.redis, desk.store.keys.prefix, ["U0AGENT1"]).get("U0AGENT1") == "Alice Park",
             what="the agent's name kept")
