"""The app in HTTP mode for scenario tests: waitress on 127.0.0.1 port 0 in a thread, the
store on the ``redis`` fixture (keys under this test's namespace), the Web API client
pointed at the fake Slack, and a driver that signs requests as Slack does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from slackops.config import Config, Settings
from slackops.sandbox.driver import SlackDriver
from slackops.slack.blocks.card_menu import MENU_ACTION

SECRET = "test-signing-secret"
VENDOR = "T0VENDOR"

CONFIG = {
    "team_id": VENDOR,
    "agents": ["U0AGENT1", "U0AGENT2"],
    "agents_usergroup": "S0AGENTS",
    "managers": {
        "support_management": ["U0MGR1"],
        "escalation_manager": ["U0MGR1"],
        "directors": ["U0DIR1"],
        "executives": ["U0EXEC1"],
    },
    "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL"},
    "accounts": [
        {"id": "acme", "name": "Acme Health", "channel": "C0ACMESHARED", "policy": "interopion",
         "language": "en", "contacts": ["U0ACME1"]},
        {"id": "globex", "name": "Globex", "channel": "C0GLOBEXSHARED", "policy": "ixcloud",
         "language": "en", "contacts": ["U0GLOBEX1"]},
        {"id": "rossi", "name": "Rossi S.p.A.", "channel": "C0ROSSISHARED", "policy": "interzen",
         "language": "it", "contacts": ["U0ROSSI1"]},
        {"id": "initech", "name": "Initech", "channel": "C0INITECHSHARED", "policy": "comensure",
         "language": "en", "contacts": ["U0INITECH1"]},
    ],
}


class Clock:
    """Real time unless pinned: ``clock.at = datetime(...)``."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)


def wait_for(cond: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Work after the ack runs in Bolt's thread pool: poll for its effect."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Desk:
    fake: Any
    driver: SlackDriver
    store: Any
    app: Any
    server: Any
    config: Config
    clock: Clock
    namespace: str
    publisher: Any = None
    outbox: Any = None
    _views: dict[str, dict] = field(default_factory=dict)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until everything the app recorded so far is published and posted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.publisher.pending() and not self.publisher._awaiting and not self.outbox.pending():
                time.sleep(0.05)  # a listener may still be writing after its ack
                if not self.publisher.pending() and not self.outbox.pending():
                    return
            time.sleep(0.02)
        raise AssertionError("the publisher and the outbox did not settle")

    # -- reading the fake ----------------------------------------------------------
    def last_view(self, callback_id: str | None = None) -> dict[str, Any]:
        calls = [c for c in self.fake.calls if c.method in ("views.open", "views.push")]
        views = [c.params["view"] for c in calls]
        views = [json.loads(v) if isinstance(v, str) else v for v in views]
        if callback_id:
            views = [v for v in views if v.get("callback_id") == callback_id]
        assert views, f"no view {callback_id or ''} was opened"
        return views[-1]

    def wait_view(self, callback_id: str, count: int = 1) -> dict[str, Any]:
        def found():
            calls = [c for c in self.fake.calls if c.method == "views.open"]
            vs = [c.params["view"] for c in calls]
            vs = [json.loads(v) if isinstance(v, str) else v for v in vs]
            vs = [v for v in vs if v.get("callback_id") == callback_id]
            return vs[-1] if len(vs) >= count else None
        return wait_for(found, what=f"views.open {callback_id}")

    def ephemerals(self, user: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.fake.ephemerals if user is None or e.get("user") == user]

    def wait_ephemeral(self, user: str, contains: str = "") -> dict[str, Any]:
        return wait_for(lambda: next((e for e in self.ephemerals(user) if contains in e.get("text", "")), None),
                        what=f"ephemeral to {user} containing {contains!r}")

    def card(self, request_id: str) -> dict[str, Any]:
        """The card in the customer's shared channel."""
        req = self.store.get(request_id)
        assert req.card_ts, f"{request_id} has no card"
        msg = self.fake.message(req.card_channel or req.channel, req.card_ts)
        assert msg is not None
        return msg

    def has_agents_card(self, request_id: str) -> bool:
        """Whether the request gets an agents' card (agent_controls: triage, a triage channel)."""
        from slackops.slack.cards import triage_channel

        req = self.store.get(request_id)
        return triage_channel(self.config, self.store.policy(req.policy), req) is not None

    def agents_card(self, request_id: str) -> dict[str, Any]:
        """The card agents work from: the agents' card in the triage channel, or the one
        card in the shared channel (agent_controls: shared)."""
        if not self.has_agents_card(request_id):
            return self.card(request_id)
        req = self.store.get(request_id)
        assert req.triage_ts, f"{request_id} has no agents' card"
        msg = self.fake.message(req.triage_channel, req.triage_ts)
        assert msg is not None
        return msg

    def shared_messages(self, channel: str) -> list[dict[str, Any]]:
        """Every message in a shared channel, thread replies included (what customers see)."""
        with self.fake._lock:
            return [dict(m) for m in self.fake._messages.get(channel, [])]

    def thread(self, request_id: str) -> list[dict[str, Any]]:
        req = self.store.get(request_id)
        return self.fake.messages(req.card_channel or req.channel, thread_ts=req.card_ts)

    def wait_thread(self, request_id: str, contains: str) -> dict[str, Any]:
        def found():
            try:
                return next((m for m in self.thread(request_id) if contains in m.get("text", "")), None)
            except AssertionError:
                return None
        return wait_for(found, what=f"thread message of {request_id} containing {contains!r}")

    # -- doing things ----------------------------------------------------------------
    def open_request(self, user: str = "U0ACME1", channel: str = "C0ACMESHARED", *, priority: str = "P2",
                     title: str = "Exports fail", description: str = "Nightly export stops at 40%",
                     extra: dict[str, str] | None = None, user_team_id: str | None = None, language: str | None = None,
                     category: str | None = None) -> str:
        """/support then the form, as a customer does; returns the new request's id."""
        before = {r.id for r in self.store.list(open_only=False)}
        seen = self._count("slackops_open_request")
        r = self.driver.command("/support", "", user_id=user, channel_id=channel, user_team_id=user_team_id)
        assert r.status == 200, r.text
        view = self.wait_view("slackops_open_request", count=seen + 1)
        self._views["slackops_open_request"] = view
        values = form(priority=priority, title=title, description=description, **(extra or {}))
        if language:
            values["language"] = {"value": {"type": "static_select", "selected_option": {"value": language}}}
        if category:
            values["category"] = {"value": {"type": "static_select", "selected_option": {"value": category}}}
        r = self.driver.view_submission("slackops_open_request", values, user_id=user, user_team_id=user_team_id,
                                        private_metadata=view["private_metadata"])
        assert r.status == 200, r.text
        assert not r.body or r.json().get("response_action") != "errors", r.text
        new = wait_for(lambda: {r.id for r in self.store.list(open_only=False)} - before, what="a new request")
        rid = sorted(new)[0]
        wait_for(lambda: self.store.get(rid).card_ts, what=f"card of {rid}")
        if self.has_agents_card(rid):
            wait_for(lambda: self.store.get(rid).triage_ts, what=f"agents' card of {rid}")
        return rid

    def _count(self, callback_id: str) -> int:
        n = 0
        for c in self.fake.calls:
            if c.method == "views.open":
                v = c.params["view"]
                v = json.loads(v) if isinstance(v, str) else v
                n += v.get("callback_id") == callback_id
        return n

    def press(self, action_id: str, request_id: str, user: str, *, user_team_id: str | None = None,
              level: int | None = None, on: str | None = None):
        """Press a button on one of the request's cards (as it stands in the fake Slack):
        ``on="customer"`` or ``"agents"``; by default the agents' card if its button is
        there, else the customer card (a button nobody was shown: a crafted payload)."""
        req = self.store.get(request_id)
        if on is None:
            on = "agents" if (self.has_agents_card(request_id)
                              and (f'"{action_id}"' in json.dumps(self.agents_card(request_id)["blocks"])
                                   or menu_option(self.agents_card(request_id), action_id))) else "customer"
        if on == "agents" and self.has_agents_card(request_id):
            message, channel = self.agents_card(request_id), req.triage_channel
        else:
            message, channel = self.card(request_id), req.card_channel or req.channel
        option = menu_option(message, action_id) if f'"{action_id}"' not in json.dumps(message["blocks"]) else None
        if option is not None:  # not a button on the card: the "More actions" menu's option
            return self.driver.block_action(MENU_ACTION, user_id=user, user_team_id=user_team_id, channel_id=channel,
                                            message=message, action_type="static_select", selected_option=option)
        value = {"r": request_id} if level is None else {"r": request_id, "l": level}
        return self.driver.block_action(action_id, json.dumps(value), user_id=user, user_team_id=user_team_id,
                                        channel_id=channel, message=message)

    def submit(self, callback_id: str, values: dict[str, Any], user: str, *, user_team_id: str | None = None,
               view: dict[str, Any] | None = None, view_id: str | None = None):
        view = view or self.last_view(callback_id)
        return self.driver.view_submission(callback_id, values, user_id=user, user_team_id=user_team_id,
                                           private_metadata=view["private_metadata"], view_id=view_id)


def menu_option(message: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    """The option of a card's "More actions" menu that stands for ``action_id``."""
    for block in message.get("blocks") or []:
        for el in block.get("elements") or []:
            if el.get("action_id") == MENU_ACTION:
                for o in el.get("options") or []:
                    if json.loads(o["value"]).get("a") == action_id:
                        return o
    return None


def reply(r: Any) -> str:
    """The text of an ack's answer: a JSON body with ``text``, or plain text (Slack shows both)."""
    if r.body.startswith(b"{"):
        return r.json().get("text", "")
    return r.text


def text_value(v: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": v}}


def select_value(v: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": v}}}


def form(**fields: str) -> dict[str, Any]:
    """view.state.values from block_id=value; ``priority``/``resolution``/``category`` are selects."""
    out = {}
    for k, v in fields.items():
        if v is None:
            continue
        out[k] = select_value(v) if k in ("priority", "resolution", "category", "language") else text_value(v)
    return out


@pytest.fixture
def agent_controls() -> str:
    """The configuration's ``agent_controls`` for the ``desk`` (override, or parametrize, to change it)."""
    return "triage"


@pytest.fixture
def desk(fake_slack, redis, namespace, agent_controls) -> Iterator[Desk]:
    with running_desk(fake_slack, redis, namespace, {**CONFIG, "agent_controls": agent_controls}) as d:
        yield d


@contextmanager
def running_desk(fake_slack, redis, namespace, config: dict[str, Any] | None = None) -> Iterator[Desk]:
    """The app, its publisher and outbox on ``config`` (default: CONFIG), for one test."""
    from slackops.workers.publisher import Publisher

    from slackops.notices.outbox import Outbox
    from slackops.notices.outbox import make_client as make_outbox_client
    from slackops.notices.web import make_client
    from slackops.requests import RequestStore
    from slackops.slack.app import create_app
    from slackops.slack.server import HttpServer

    fake = fake_slack
    for uid in ("U0AGENT1", "U0AGENT2", "U0AGENT3", "U0MGR1", "U0DIR1", "U0EXEC1", "U0STAFF1"):
        fake.add_user(uid, team_id=VENDOR)
    fake.add_usergroup("S0AGENTS", ["U0AGENT3"])
    fake.add_user("U0ACME1", team_id="T0ACME", tz="America/New_York", tz_label="Eastern Standard Time", is_stranger=True)
    fake.add_user("U0ACME2", team_id="T0ACME", tz="America/New_York", is_stranger=True)
    fake.add_user("U0GLOBEX1", team_id="T0GLOBEX", is_stranger=True)
    fake.add_user("U0ROSSI1", team_id="T0ROSSI", tz="Europe/Rome", is_stranger=True)
    fake.add_user("U0ROSSI2", team_id="T0ROSSI", tz="Europe/Rome", is_stranger=True)
    fake.add_user("U0INITECH1", team_id="T0INITECH", is_stranger=True)
    config = Config.model_validate(config or CONFIG)
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, slack_api_url=fake.url, mode="http")
    store = RequestStore(redis, config, prefix=f"slackops{namespace}")
    clock = Clock()
    app = create_app(settings, config, store, make_client(settings), clock=clock)
    server = HttpServer(app, "127.0.0.1", 0).start()
    driver = SlackDriver(server.url, SECRET, team_id=VENDOR, response_url=fake.response_url(), slack=fake)
    # What the app's changes call for in Slack is published by the workers: run their
    # publisher and outbox here as a worker process would (paced lightly to keep tests quick).
    client = make_outbox_client("xoxb-test", fake.url, timeout=5)
    outbox = Outbox(redis, client, f"slackops{namespace}", interval=0.01)
    publisher = Publisher(redis, store, config, client, outbox, block=0.05, retry_every=0.05, claim_idle=1.0,
                          clock=clock)
    outbox.after_sent = publisher.card_posted
    publisher.ensure_groups()
    threads = [threading.Thread(target=outbox.run, daemon=True), threading.Thread(target=publisher.run, daemon=True)]
    for th in threads:
        th.start()
    try:
        yield Desk(fake, driver, store, app, server, config, clock, namespace, publisher=publisher, outbox=outbox)
    finally:
        publisher.stop()
        outbox.stop()
        for th in threads:
            th.join(5)
        server.stop()
