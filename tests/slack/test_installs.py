"""The whole agent and customer story for both kinds of vendor: one on a plain workspace,
one on Enterprise Grid with the app installed org-wide and agents in two workspaces of the
organisation. Customers come from a plain workspace (Acme) and from another organisation
(Globex, on Grid too). Over signed HTTP against the stand-in, which sends each payload as
real Slack does for the install (an org member's thread reply names the organisation in
``user_team``, a button press names it only in ``team`` and ``enterprise``), real Redis.

Every request is opened by each path (/support, the pinned button, the :ticket: reaction,
the message shortcut), taken by the agent of the other workspace, answered in its thread
(the first response), escalated and resolved; a customer pressing an agent's button is
refused, only to them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from slackops.sandbox.payloads import message_event, reaction_event
from slackops.sandbox.slack import FakeSlack
from tests.slack.conftest import CONFIG, form, wait_for
from tests.slack.conftest import Desk as RunningDesk


@dataclass(frozen=True)
class Install:
    name: str
    fake: dict[str, Any]  # FakeSlack's arguments
    config: dict[str, Any]  # what the configuration adds
    home_agent: str  # an agent of the workspace the app runs in
    other_agent: str  # an agent of another workspace (Grid) or a colleague (plain)


PLAIN = Install("plain workspace", {}, {}, "U0AGENT1", "U0AGENT2")
GRID = Install("Enterprise Grid, org-wide", {"enterprise_id": "E0VENDOR", "enterprise_name": "Vendor Org",
                                             "org_install": True},
               {"enterprise_id": "E0VENDOR", "agent_workspaces": ["T0VENDOR2"]}, "U0AGENT1", "W0AGENT9")

ACME = ("U0ACME1", "C0ACMESHARED")  # a contact in a plain workspace
GLOBEX = ("W0OTHER1", "C0GLOBEXSHARED")  # a contact in another organisation


@pytest.fixture(params=[PLAIN, GRID], ids=lambda i: i.name)
def install(request) -> Install:
    return request.param


@pytest.fixture
def desk(install, redis, namespace) -> Iterator[RunningDesk]:
    from tests.slack.conftest import running_desk

    fake = FakeSlack(team_id="T0VENDOR", **install.fake).start()
    fake.add_user("W0AGENT9", team_id="T0VENDOR2", enterprise_id="E0VENDOR", enterprise_name="Vendor Org")
    fake.add_user("W0OTHER1", team_id="T0OTHER", enterprise_id="E0OTHER", enterprise_name="Other Org")
    fake.add_channel("C0ACMESHARED", name="acme-support", shared_with=["T0ACME"])
    fake.add_channel("C0GLOBEXSHARED", name="globex-support", shared_with=["E0OTHER"])
    accounts = [{**a, "contacts": ["W0OTHER1"]} if a["id"] == "globex" else a for a in CONFIG["accounts"]]
    config = {**CONFIG, **install.config, "agents": [*CONFIG["agents"], "W0AGENT9"], "accounts": accounts}
    try:
        with running_desk(fake, redis, namespace, config) as d:
            if install is GRID:
                assert d.app.client.auth_test()["is_enterprise_install"] is True
            yield d
    finally:
        fake.stop()


def say(desk: RunningDesk, user: str, channel: str, text: str, thread_ts: str | None = None) -> str:
    """A person's message in Slack, and the event Slack sends the app for it."""
    msg = desk.fake.post_as(user, channel, text, thread_ts)
    event = message_event(desk.fake.who(user), channel, text, msg["ts"], shared=desk.fake.is_shared(channel),
                          thread_ts=thread_ts)
    assert desk.driver.event(event).status == 200
    return str(msg["ts"])


def new_request(desk: RunningDesk, before: set[str]) -> str:
    new = wait_for(lambda: {r.id for r in desk.store.list(open_only=False)} - before, what="a new request")
    (rid,) = new
    wait_for(lambda: desk.store.get(rid).card_ts, what=f"card of {rid}")
    if desk.has_agents_card(rid):
        wait_for(lambda: desk.store.get(rid).triage_ts, what=f"agents' card of {rid}")
    return rid


def submit_open_form(desk: RunningDesk, user: str, priority: str, count: int) -> None:
    view = desk.wait_view("slackops_open_request", count=count)
    r = desk.driver.view_submission("slackops_open_request", form(priority=priority, title="Exports fail",
                                                                  description="Nightly export stops at 40%"),
                                    user_id=user, private_metadata=view["private_metadata"])
    assert r.status == 200 and not r.body, r.text


def open_by(path: str, desk: RunningDesk, customer: tuple[str, str], install: Install) -> str:
    user, channel = customer
    priority = "P2" if channel == "C0ACMESHARED" else "S3"
    before = {r.id for r in desk.store.list(open_only=False)}
    forms = len([c for c in desk.fake.calls_to("views.open") if "slackops_open_request" in str(c.params)])
    if path == "/support":
        assert desk.driver.command("/support", "", user_id=user, channel_id=channel).status == 200
        submit_open_form(desk, user, priority, forms + 1)
    elif path == "pinned button":
        pinned = {"ts": "1700000000.000001", "type": "message", "text": "Open a support request"}
        assert desk.driver.block_action("open_request", "", user_id=user, channel_id=channel, message=pinned).status == 200
        submit_open_form(desk, user, priority, forms + 1)
    elif path == "message shortcut":
        ts = say(desk, user, channel, "Reports are empty\nsince the upgrade")
        r = desk.driver.message_shortcut("open_support_request", user_id=user, channel_id=channel,
                                         message=desk.fake.message(channel, ts))
        assert r.status == 200
        submit_open_form(desk, user, priority, forms + 1)
    else:  # the :ticket: reaction, by an agent of the other workspace on the contact's message
        ts = say(desk, user, channel, "Login page returns 500 since 9am")
        assert desk.fake.react_as(install.other_agent, channel, ts, "ticket")
        desk.driver.event(reaction_event(install.other_agent, channel, ts, "ticket", user))
    rid = new_request(desk, before)
    assert desk.store.get(rid).submitted_by == user
    return rid


PATHS = ["/support", "pinned button", "message shortcut", ":ticket: reaction"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("customer", [ACME, GLOBEX], ids=["plain-workspace customer", "other-org customer"])
def test_the_story(desk, install, path, customer):
    user, channel = customer
    rid = open_by(path, desk, customer, install)
    req = desk.store.get(rid)
    # a customer pressing the agents' Take (a crafted payload): refused, only to them
    desk.press("req_take", rid, user, on="customer")
    e = desk.wait_ephemeral(user, "Only support agents")
    assert e["channel"] == channel
    # the agent of the other workspace takes it (Globex's contract: stating the initial severity)
    desk.press("req_take", rid, install.other_agent)
    if channel == "C0GLOBEXSHARED":
        view = desk.wait_view("slackops_accept")
        r = desk.submit("slackops_accept", form(priority="S3", reason="one site"), install.other_agent, view=view)
        assert r.status == 200 and not r.body, r.text
    wait_for(lambda: desk.store.get(rid).assignee == install.other_agent, what="taken")
    if desk.has_agents_card(rid):  # a reaction's request, accepted at a more urgent severity, gains one
        wait_for(lambda: desk.store.get(rid).triage_ts, what="the agents' card")
    assert not desk.ephemerals(install.other_agent)
    # the customer's reply is not a response; the agent's is the first response
    say(desk, user, channel, "any news?", thread_ts=req.card_ts)
    say(desk, install.other_agent, channel, "Looking now", thread_ts=req.card_ts)
    wait_for(lambda: desk.store.get(rid).first_response_at is not None, what="the first response")
    first = [e for e in desk.store.history(rid) if e.type == "first_response"]
    # the first response is the acknowledgement the Take posted in the thread (recorded by the
    # system once sent) or the agent's reply, whichever reached Slack first; never the customer's
    assert len(first) == 1 and first[0].actor in ("system", install.other_agent), [(e.actor, e.data) for e in first]
    # the agent of the home workspace escalates, the other resolves
    desk.press("req_escalate", rid, install.home_agent)
    view = desk.wait_view("slackops_escalate")
    desk.submit("slackops_escalate", form(reason="Customer is blocked"), install.home_agent, view=view)
    wait_for(lambda: desk.store.get(rid).escalation_level == 1, what="escalated")
    wait_for(lambda: desk.fake.messages("D0MGR1"), what="the escalation manager's DM")
    desk.press("req_resolve", rid, install.other_agent)
    view = desk.wait_view("slackops_resolve")
    desk.submit("slackops_resolve", form(resolution="fix", note="Patched"), install.other_agent, view=view)
    wait_for(lambda: str(desk.store.get(rid).status) == "resolved", what="resolved")
    desk.wait_thread(rid, "resolved")
    # nobody on the vendor's side was refused anything
    desk.settle()
    assert not desk.ephemerals(install.other_agent) and not desk.ephemerals(install.home_agent)


def test_the_customers_stay_customers(desk, install):
    """Their buttons are theirs; the agents' are not (on every install)."""
    rid = desk.open_request("W0OTHER1", "C0GLOBEXSHARED", priority="S3")
    for agent_button in ("req_acknowledge", "req_resolve", "req_escalate"):
        desk.press(agent_button, rid, "W0OTHER1", on="customer")
    wait_for(lambda: len(desk.ephemerals("W0OTHER1")) == 3, what="three refusals")
    assert all("Only support agents" in e["text"] for e in desk.ephemerals("W0OTHER1"))
    time.sleep(0.2)
    assert str(desk.store.get(rid).status) == "submitted" and desk.store.get(rid).escalation_level == 0
    desk.press("req_add_info", rid, "W0OTHER1", on="customer")
    view = desk.wait_view("slackops_add_info")
    r = desk.submit("slackops_add_info", form(text="Happens on Windows only"), "W0OTHER1", view=view)
    assert r.status == 200 and not r.body, r.text
    desk.wait_thread(rid, "added information")
