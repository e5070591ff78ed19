"""Customer satisfaction: a closed request's customer is asked once, in its language, rates
it, changes the rating, adds a comment in the form; anyone else is refused; the agents' card
shows it; after 7 days it can no longer change."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.slack.conftest import CONFIG, form, running_desk, wait_for

SURVEYED = {**CONFIG, "accounts": [
    {**a, "policy": {"extends": a["policy"], "intake": {"satisfaction_survey": True}}} if a["id"] in ("acme", "rossi")
    else a for a in CONFIG["accounts"]]}


@pytest.fixture
def desk(fake_slack, redis, namespace):
    with running_desk(fake_slack, redis, namespace, SURVEYED) as d:
        yield d


def close(desk, rid: str) -> None:
    desk.press("req_resolve", rid, "U0AGENT1")
    view = desk.wait_view("slackops_resolve")
    desk.submit("slackops_resolve", form(resolution="fix", note="Patched"), "U0AGENT1", view=view)
    wait_for(lambda: str(desk.store.get(rid).status) == "resolved")
    desk.press("req_confirm_resolved", rid, "U0ACME1", user_team_id="T0ACME", on="customer")
    wait_for(lambda: str(desk.store.get(rid).status) == "closed")


def rate(desk, rid: str, survey: dict, n: int, user: str = "U0ACME1"):
    req = desk.store.get(rid)
    return desk.driver.block_action(f"csat_rate_{n}", json.dumps({"r": rid}), user_id=user, user_team_id="T0ACME",
                                    channel_id=req.channel, message=survey)


def csat(desk, rid: str) -> dict | None:
    return (desk.store.get(rid).fields or {}).get("csat")


def test_closed_request_rated_once_changed_commented_and_others_refused(desk):
    rid = desk.open_request()
    close(desk, rid)
    survey = desk.wait_thread(rid, "How did we do?")
    actions = next(b for b in survey["blocks"] if b["type"] == "actions")["elements"]
    assert [e["text"]["text"] for e in actions[:5]] == ["1", "2", "3", "4", "5"]
    assert actions[5]["action_id"] == "csat_comment"

    # the customer rates it 4, then changes it to 2
    assert rate(desk, rid, survey, 4).status == 200
    wait_for(lambda: (csat(desk, rid) or {}).get("rating") == 4)
    desk.wait_ephemeral("U0ACME1", f"{rid} is rated 4/5")
    assert rate(desk, rid, survey, 2).status == 200
    wait_for(lambda: (csat(desk, rid) or {}).get("rating") == 2)
    # someone of the customer's workspace who is not one of its contacts is refused
    desk.fake.add_user("U0ACME9", team_id="T0ACME", is_stranger=True)
    rate(desk, rid, survey, 5, user="U0ACME9")
    desk.wait_ephemeral("U0ACME9", "contacts")
    # and so is an agent: the rating is the customer's
    desk.driver.block_action("csat_rate_5", json.dumps({"r": rid}), user_id="U0AGENT1",
                             channel_id=desk.store.get(rid).channel, message=survey)
    desk.wait_ephemeral("U0AGENT1", "contacts")
    desk.settle()
    assert csat(desk, rid)["rating"] == 2 and csat(desk, rid)["by"] == "U0ACME1"

    # the form: a rating with a comment (escaped on the agents' card)
    desk.driver.block_action("csat_comment", json.dumps({"r": rid}), user_id="U0ACME1", user_team_id="T0ACME",
                             channel_id=desk.store.get(rid).channel, message=survey)
    view = desk.wait_view("slackops_csat_comment")
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "2"
    values = {"rating": {"value": {"type": "radio_buttons", "selected_option": {"value": "5"}}},
              "text": {"value": {"type": "plain_text_input", "value": "Quick & <b>kind</b>"}}}
    r = desk.submit("slackops_csat_comment", values, "U0ACME1", user_team_id="T0ACME", view=view)
    assert r.status == 200 and b"errors" not in r.body, r.text
    wait_for(lambda: (csat(desk, rid) or {}).get("rating") == 5)
    assert csat(desk, rid)["comment"] == "Quick & <b>kind</b>"
    desk.settle()
    card = json.dumps(desk.agents_card(rid)["blocks"], ensure_ascii=False)
    assert "Customer rating: ★★★★★ 5/5" in card and "Quick &amp; &lt;b&gt;kind&lt;/b&gt;" in card

    # every rating is in the history; the survey was asked once
    assert [e.data["rating"] for e in desk.store.history(rid) if e.type == "csat_rated"] == [4, 2, 5]
    assert len([m for m in desk.thread(rid) if "How did we do?" in m.get("text", "")]) == 1

    # 7 days after closing, the rating no longer changes
    desk.clock.at = desk.store.get(rid).closed_at + timedelta(days=7, minutes=1)
    rate(desk, rid, survey, 1)
    desk.wait_ephemeral("U0ACME1", "can no longer change")
    assert csat(desk, rid)["rating"] == 5


def test_the_survey_speaks_the_requests_language_and_waits_for_the_close(desk):
    from slackops.requests import Event

    rid = desk.open_request("U0ROSSI1", "C0ROSSISHARED", priority="P3", title="Esportazione interrotta",
                            description="L'esportazione notturna si ferma al 40%", language="it")
    req = desk.store.get(rid)
    assert req.language == "it"
    survey_in = lambda: [m for m in desk.thread(rid) if "Come siamo andati?" in m.get("text", "")]  # noqa: E731
    # not closed yet: a rating is refused and nothing is asked
    msg = {"ts": req.card_ts, "blocks": [], "text": ""}
    desk.driver.block_action("csat_rate_5", json.dumps({"r": rid}), user_id="U0ROSSI1", user_team_id="T0ROSSI",
                             channel_id=req.channel, message=msg)
    desk.wait_ephemeral("U0ROSSI1", "can be rated once it closes")
    assert "csat" not in (desk.store.get(rid).fields or {})
    desk.store.apply(rid, Event("resolved", "U0AGENT1", desk.clock(), {"resolution": "fix"}))
    desk.store.apply(rid, Event("closed", "U0ROSSI1", desk.clock(), {}))
    wait_for(survey_in, what="the survey in Italian")
    desk.settle()
    assert len(survey_in()) == 1


def test_no_survey_where_the_policy_does_not_ask(desk):
    from slackops.requests import Event

    rid = desk.open_request("U0GLOBEX1", "C0GLOBEXSHARED", priority="S3")
    desk.store.apply(rid, Event("resolved", "U0AGENT1", desk.clock(), {"resolution": "fix"}))
    desk.store.apply(rid, Event("closed", "U0GLOBEX1", desk.clock(), {}))
    desk.wait_thread(rid, "is closed")
    desk.settle()
    assert not [m for m in desk.thread(rid) if "How did we do?" in m.get("text", "")]


def test_with_one_shared_card_the_rating_shows_on_it(fake_slack, redis, namespace):
    from slackops.requests import Event

    with running_desk(fake_slack, redis, namespace, {**SURVEYED, "agent_controls": "shared"}) as d:
        rid = d.open_request()
        assert not d.has_agents_card(rid)
        d.store.apply(rid, Event("resolved", "U0AGENT1", d.clock(), {"resolution": "fix"}))
        d.store.apply(rid, Event("closed", "U0ACME1", d.clock(), {}))
        d.store.apply(rid, Event("csat_rated", "U0ACME1", d.clock(), {"rating": 3}))
        wait_for(lambda: "Customer rating: ★★★☆☆ 3/5" in json.dumps(d.card(rid)["blocks"], ensure_ascii=False),
                 what="the rating on the card")


def test_the_survey_buttons_are_the_apps_action_ids():
    from slackops.notices.survey import COMMENT_ACTION, RATE_ACTIONS
    from slackops.slack.ids import ActionId

    assert RATE_ACTIONS == (ActionId.CSAT_1, ActionId.CSAT_2, ActionId.CSAT_3, ActionId.CSAT_4, ActionId.CSAT_5)
    assert COMMENT_ACTION == ActionId.CSAT_COMMENT
