"""Interactor: "local time zone selected by Customer (US PST, or Seoul South Korea)": a
contact chooses the calendar of their account's new requests from Slack; open requests
keep the calendar they were opened under, and the card says which."""

from __future__ import annotations

import json

from slackops.slack.account_settings import AccountSettings
from tests.slack.conftest import reply, select_value, wait_for

HANIL = ("U0HANIL1", "C0HANILSHARED")


def add_interactor_account(desk):
    desk.config.accounts.append(type(desk.config.accounts[0]).model_validate(
        {"id": "hanil", "name": "Hanil Systems", "channel": HANIL[1], "policy": "interactor",
         "contacts": [HANIL[0]]}))
    desk.fake.add_user(HANIL[0], team_id="T0HANIL", is_stranger=True)
    desk.store.ensure_groups("publish")


def choose(desk, calendar, user=HANIL[0], team="T0HANIL", count=1):
    r = desk.driver.command("/support", "settings", user_id=user, channel_id=HANIL[1], user_team_id=team)
    assert r.status == 200, r.text
    view = desk.wait_view("slackops_account_settings", count=count)
    return view, desk.submit("slackops_account_settings", {"calendar": select_value(calendar)}, user,
                             user_team_id=team, view=view)


def test_a_contact_chooses_seoul_and_new_requests_use_it(desk):
    add_interactor_account(desk)
    before = desk.open_request(*HANIL, priority="S3", title="Before the change")
    assert desk.store.get(before).calendar == "default"  # the configuration's: us
    assert "US Pacific business days" in str(desk.card(before)["blocks"])
    view, r = choose(desk, "kr")
    options = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert options == ["us", "kr"] and view["blocks"][1]["element"]["initial_option"]["value"] == "us"
    assert r.status == 200 and not r.body, r.text
    desk.wait_ephemeral(HANIL[0], "Seoul business days")
    history = AccountSettings(desk.store.redis, desk.store.keys.prefix).history("hanil")
    assert [(h.calendar, h.by) for h in history] == [("kr", HANIL[0])]
    after = desk.open_request(*HANIL, priority="S3", title="After the change")
    assert desk.store.get(after).calendar == "kr"
    assert "Seoul business days" in str(desk.card(after)["blocks"])
    assert desk.store.get(before).calendar == "default"  # open requests keep their calendar
    # the :ticket: reaction uses it too
    posted = desk.app.client.chat_postMessage(channel=HANIL[1], text="Sync stopped overnight")
    desk.driver.event({"type": "reaction_added", "user": HANIL[0], "reaction": "ticket", "item_user": HANIL[0],
                       "item": {"type": "message", "channel": HANIL[1], "ts": posted["ts"]}})
    rid = wait_for(lambda: [x.id for x in desk.store.list(account="hanil") if x.source == "reaction"])[0]
    assert desk.store.get(rid).calendar == "kr"


def test_only_contacts_choose_and_only_where_the_policy_offers_it(desk):
    add_interactor_account(desk)
    desk.fake.add_user("U0HANIL9", team_id="T0HANIL", is_stranger=True)
    r = desk.driver.command("/support", "settings", user_id="U0HANIL9", channel_id=HANIL[1], user_team_id="T0HANIL")
    assert "Only the designated contacts" in reply(r)
    r = desk.driver.command("/support", "settings", user_id="U0ACME1", channel_id="C0ACMESHARED",
                            user_team_id="T0ACME")
    assert "nothing to set" in reply(r)
    # a forged submission for a calendar the policy does not offer changes nothing
    view, r = choose(desk, "default")
    assert "is not a calendar interactor lets customers choose" in r.json()["errors"]["calendar"]
    assert AccountSettings(desk.store.redis, desk.store.keys.prefix).history("hanil") == []


def test_the_home_tab_offers_the_settings(desk):
    add_interactor_account(desk)
    desk.driver.event({"type": "app_home_opened", "user": HANIL[0], "tab": "home"})
    home = wait_for(lambda: [c for c in desk.fake.calls if c.method == "views.publish"])[-1].params["view"]
    home = json.loads(home) if isinstance(home, str) else home
    assert "home_account_settings" in str(home["blocks"])
    desk.driver.block_action("home_account_settings", "", user_id=HANIL[0], user_team_id="T0HANIL", channel_id=None)
    desk.wait_view("slackops_account_settings")
