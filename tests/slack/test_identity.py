"""Who acts, as real Slack names them: the pure decision of slackops.slack.identity, on the
bodies real Slack sent (tests/data/slack_payloads/, sources in SOURCES.md there) and on
the shapes the stand-in sends, for a vendor on a plain workspace and on Enterprise Grid."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from slackops.sandbox.payloads import (
    Install,
    Who,
    envelope,
    interactive_identity,
    message_event,
    reaction_event,
)
from slackops.slack.identity import Vendor, decide, who_acts

DATA = Path(__file__).resolve().parents[1] / "data" / "slack_payloads"

PLAIN = Vendor.of("T0VENDOR")
GRID = Vendor.of("T0VENDOR", "E0VENDOR", ["T0VENDOR2"])
# the organisation of the captured Grid payloads (T111 in E111)
CAPTURED_ORG = Vendor.of("T111", "E111")


def captured(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


class UsersInfo:
    """users.info's answers as a dict; records who was asked."""

    def __init__(self, **users: dict[str, Any]) -> None:
        self.users, self.asked = users, []

    def __call__(self, user_id: str) -> dict[str, Any] | None:
        self.asked.append(user_id)
        return self.users.get(user_id)


# -- real payloads ----------------------------------------------------------------------------
def test_a_real_interactive_payload_of_another_org_is_a_customer_without_asking():
    body = captured("view_submission_connect_other_org.json")
    ask = UsersInfo()
    who = who_acts(body, GRID, ask)
    assert (who.user_id, who.team_id, who.enterprise_id, who.ours) == ("W111", "T-other-side", "E-other-side", False)
    assert ask.asked == []


@pytest.mark.parametrize("name", ["view_submission.json", "block_actions_grid_ephemeral.json", "shortcut_global.json",
                                  "message_action.json"])
def test_real_interactive_payloads_name_the_org_only_in_team_and_enterprise(name):
    """The real Grid payloads carry the organisation in team.enterprise_id, never in user:
    a member of the org acting from one of its workspaces is "us"."""
    body = captured(name)
    assert "enterprise_id" not in body["user"]
    who = who_acts(body, CAPTURED_ORG, UsersInfo())
    assert (who.enterprise_id, who.ours) == ("E111", True)
    assert not who_acts(body, GRID, UsersInfo()).ours  # the same person, for another vendor: a customer
    assert not who_acts(body, PLAIN, UsersInfo()).ours


def test_a_real_slash_command_does_not_say_whose_side_its_sender_is_on():
    """Its team_id / enterprise_id are where it was run: users.info decides."""
    body = captured("command_grid.json")
    ask = UsersInfo(W111={"id": "W111", "team_id": "T0ACME", "is_stranger": True})
    who = who_acts(body, CAPTURED_ORG, ask)
    assert ask.asked == ["W111"] and not who.ours and who.because == "users.info is_stranger"
    ask = UsersInfo(W111={"id": "W111", "team_id": "T222", "enterprise_user": {"enterprise_id": "E111"}})
    assert who_acts(body, CAPTURED_ORG, ask).ours


def test_a_real_reaction_names_no_team_and_a_shared_channel_tells_nothing():
    body = captured("event_reaction_added_shared.json")
    ask = UsersInfo()
    who = who_acts(body, Vendor.of("T_INSTALLED", "E_INSTALLED"), ask)
    assert ask.asked == ["W111"] and not who.ours and who.because == "users.info does not know them"


def test_a_real_message_in_a_channel_not_shared_outside_is_the_installations_people():
    body = captured("event_message_user.json")
    assert body["is_ext_shared_channel"] is False
    ask = UsersInfo()
    assert who_acts(body, CAPTURED_ORG, ask).ours and ask.asked == []
    # an org-wide installation: the authorization names the organisation, no workspace
    org_install = captured("event_message_org_install.json")
    assert org_install["authorizations"][0]["team_id"] is None
    assert who_acts(org_install, CAPTURED_ORG, ask).ours and ask.asked == []


def test_an_envelope_of_another_installation_is_not_taken_for_ours():
    body = copy.deepcopy(captured("event_message_user.json"))
    body["event"].pop("team")
    body["authorizations"] = [{"enterprise_id": "E999", "team_id": "T999", "is_enterprise_install": False}]
    ask = UsersInfo()
    assert not who_acts(body, CAPTURED_ORG, ask).ours and ask.asked == ["W111"]


# -- the stand-in's shapes (payloads.py) ------------------------------------------------------
GRID_INSTALL = Install("T0VENDOR", enterprise_id="E0VENDOR", enterprise_name="Vendor Org")
AGENT2 = Who("W0AGENT9", "T0VENDOR2", "E0VENDOR", "Vendor Org")
OTHER_ORG = Who("W0OTHER1", "T0OTHER", "E0OTHER", "Other Org")
PLAIN_CUSTOMER = Who("U0ACME1", "T0ACME")


def thread_reply(who: Who, install: Install) -> dict[str, Any]:
    event = message_event(who, "C0ACMESHARED", "on it", "2.000001", shared=True, thread_ts="1.000001")
    return envelope(event, install, ext_shared=True)


def test_an_agents_thread_reply_with_the_org_in_user_team_is_ours():
    body = thread_reply(AGENT2, GRID_INSTALL)
    assert body["event"]["user_team"] == "E0VENDOR"
    who = who_acts(body, GRID, UsersInfo())
    assert (who.team_id, who.enterprise_id, who.ours) == ("T0VENDOR2", "E0VENDOR", True)
    assert not who_acts(thread_reply(OTHER_ORG, GRID_INSTALL), GRID, UsersInfo()).ours


def test_an_agent_of_the_orgs_second_workspace_pressing_a_button_is_ours():
    body = {"type": "block_actions", **interactive_identity(AGENT2, GRID_INSTALL)}
    assert who_acts(body, GRID, UsersInfo()).ours
    for customer in (OTHER_ORG, PLAIN_CUSTOMER):
        body = {"type": "block_actions", **interactive_identity(customer, GRID_INSTALL)}
        assert not who_acts(body, GRID, UsersInfo(**{customer.user_id: {"team_id": customer.team_id}})).ours


def test_a_plain_vendor_its_workspace_is_us_everyone_else_a_customer():
    install = Install("T0VENDOR")
    body = {"type": "block_actions", **interactive_identity(Who("U0AGENT1", "T0VENDOR"), install)}
    assert who_acts(body, PLAIN).ours
    for customer in (OTHER_ORG, PLAIN_CUSTOMER):
        assert not who_acts({"type": "block_actions", **interactive_identity(customer, install)}, PLAIN).ours
        assert not who_acts(thread_reply(customer, install), PLAIN).ours


def test_a_reaction_asks_users_info():
    body = envelope(reaction_event("W0AGENT9", "C0ACMESHARED", "1.000001", "ticket", "U0ACME1"), GRID_INSTALL,
                    ext_shared=True)
    ask = UsersInfo(W0AGENT9={"team_id": "T0VENDOR2", "enterprise_user": {"enterprise_id": "E0VENDOR"}})
    assert who_acts(body, GRID, ask).ours and ask.asked == ["W0AGENT9"]
    ask = UsersInfo(W0AGENT9={"team_id": "T0VENDOR2", "enterprise_user": {"enterprise_id": "E0VENDOR"},
                              "is_stranger": True})
    assert not who_acts(body, GRID, ask).ours


# -- the rule itself ----------------------------------------------------------------------------
@pytest.mark.parametrize(("vendor", "team", "org", "ours"), [
    (GRID, "T0VENDOR3", "E0VENDOR", True),  # any workspace of the organisation
    (GRID, "T0VENDOR", "E0OTHER", False),  # the organisation wins over a workspace id
    (GRID, "T0VENDOR2", None, True),  # a listed agent workspace
    (PLAIN, "T0VENDOR", None, True),
    (PLAIN, "T0ACME", None, False),
    (PLAIN, None, "E0OTHER", False),
    (PLAIN, "T0VENDOR", "E0VENDOR", True),  # Grid, but the configuration names no org: its workspace still
])
def test_the_rule(vendor, team, org, ours):
    assert decide("U1", team, org, vendor).ours is ours


def test_when_unsure_a_customer():
    assert not decide("U1", None, None, GRID).ours  # nothing names them, no users.info
    assert not decide("U1", "T0SOMEWHERE", None, GRID, UsersInfo()).ours  # users.info does not know them
    assert not decide("U1", None, None, PLAIN, UsersInfo(U1={"id": "U1"})).ours  # users.info names no team
    assert decide("U1", "T0SOMEWHERE", None, GRID, UsersInfo(U1={"enterprise_user": {"enterprise_id": "E0VENDOR"}})).ours


@pytest.mark.parametrize("body", [{}, {"user": "U1"}, {"user": {"id": 3, "team_id": ["x"]}}, {"event": "x"},
                                  {"type": "event_callback", "event": {"user": "U1"}, "is_ext_shared_channel": False,
                                   "authorizations": 7}, {"user": {"id": "U1"}, "team": "T1", "enterprise": 4}])
def test_malformed_bodies_are_customers_not_tracebacks(body):
    assert not who_acts(body, GRID, UsersInfo()).ours


def test_an_org_where_a_workspace_would_be_is_the_org():
    body = {"type": "block_actions", "user": {"id": "W1", "team_id": "E0VENDOR"}, "team": None, "enterprise": None}
    who = who_acts(body, GRID, UsersInfo())
    assert (who.team_id, who.enterprise_id, who.ours) == (None, "E0VENDOR", True)
    body = {"type": "view_submission", "user": {"id": "W1", "team_id": "T0VENDOR9"}, "team": None,
            "enterprise": {"id": "E0VENDOR"}, "is_enterprise_install": True}
    ask = UsersInfo(W1={"team_id": "T0VENDOR9", "is_stranger": True})
    assert not who_acts(body, GRID, ask).ours and ask.asked == ["W1"]  # the enterprise may be the install's: ask
