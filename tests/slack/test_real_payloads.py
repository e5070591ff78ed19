"""Every request body that real Slack sent (tests/data/slack_payloads/, with its source in
SOURCES.md there) replayed to the running app over HTTP, signed as Slack signs it (v0 HMAC
of ``v0:{ts}:{body}``; JSON for events, the form field ``payload=`` for interactivity, form
fields for commands): each is answered within Slack's 3 s (the driver gives up after
that, as Slack does) with a 2xx, or with a 404 for exactly the kinds the app does not
subscribe to, and nothing in the log carries a traceback.

Twice: as captured (ids, commands and callback ids of the source's apps), and addressed to
this app: the fields ``readdress`` names take this desk's values (its command, shortcut,
action, channel and people), every other field stays as Slack sent it."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from slackops.sandbox.driver import SlackDriver
from tests.slack.conftest import SECRET, wait_for

DATA = Path(__file__).resolve().parents[1] / "data" / "slack_payloads"
PAYLOADS = sorted(p for p in DATA.glob("*.json"))
SLACK_TIMEOUT = 3.0  # Slack gives up on an answer after 3 s, and retries

# Kinds the app does not subscribe to (manifest.yml: no such event, no global shortcut):
# Bolt answers 404, no listener runs.
NOT_SUBSCRIBED = {
    "event:app_mention", "event:app_uninstalled", "event:tokens_revoked", "event:team_access_granted", "shortcut",
}
# As captured, these name another app's command, action or callback id: no listener of
# this app matches them, and Bolt answers 404 as it does for any request nobody handles.
OTHER_APPS_IDS = {"command", "block_actions", "view_submission", "message_action"}


def kind(body: dict[str, Any]) -> str:
    if body.get("type") == "event_callback":
        return "event:" + str(body["event"]["type"])
    if "command" in body:
        return "command"
    return str(body["type"])


def wire(body: dict[str, Any]) -> tuple[bytes, str]:
    """The body as Slack puts it on the wire, and its content type."""
    if body.get("type") == "event_callback":
        return json.dumps(body).encode(), "application/json"
    if "command" in body:
        return urlencode(body).encode(), "application/x-www-form-urlencoded"
    return urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded"


@pytest.fixture
def log_records() -> Any:
    """Every log record of the app's threads (Bolt's pool included) while the test runs."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler, root = Keep(level=logging.DEBUG), logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def replay(desk: Any, body: dict[str, Any]) -> Any:
    driver = SlackDriver(desk.driver.url, SECRET, timeout=SLACK_TIMEOUT)
    data, ctype = wire(body)
    return driver.send(data, ctype)


def no_tracebacks(records: list[logging.LogRecord]) -> None:
    bad = [f"{r.name}: {r.getMessage()}" for r in records if r.exc_info]
    assert not bad, bad


@pytest.mark.parametrize("path", PAYLOADS, ids=[p.stem for p in PAYLOADS])
def test_real_payload_as_captured(desk, log_records, path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    r = replay(desk, body)
    if kind(body) in NOT_SUBSCRIBED | OTHER_APPS_IDS:
        assert r.status == 404, (r.status, r.text)
    else:
        assert 200 <= r.status < 300, (r.status, r.text)
    desk.settle()
    no_tracebacks(log_records)


# -- addressed to this app -----------------------------------------------------------------
CUSTOMER, CUSTOMER_TEAM, CHANNEL = "U0ACME1", "T0ACME", "C0ACMESHARED"


def readdress(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """The same body with this desk's command, shortcut, action, channel and people."""
    b = copy.deepcopy(body)
    k = kind(b)
    if k == "command":
        b.update(command="/support", channel_id=CHANNEL, user_id=CUSTOMER)
    elif k == "event:message" and not b["event"].get("subtype"):
        b["event"].update(channel=CHANNEL, user=CUSTOMER)
        if "user_team" in b["event"]:
            b["event"]["user_team"] = b["event"]["source_team"] = CUSTOMER_TEAM
    elif k == "event:reaction_added":
        b["event"].update(user=CUSTOMER, reaction="ticket", item_user=CUSTOMER)
        b["event"]["item"]["channel"] = CHANNEL
    elif k == "event:app_home_opened":
        b["event"].update(user=CUSTOMER, tab="home")
    elif k == "event:member_joined_channel":
        b["event"].update(channel=CHANNEL)
    elif k in ("block_actions", "view_submission", "message_action", "shortcut"):
        b["user"]["id"] = "U0AGENT1" if k == "block_actions" else CUSTOMER
        if k == "block_actions":
            b["actions"][0].update(action_id="req_take", value=json.dumps({"r": request_id}))
            b["channel"]["id"] = CHANNEL
        if k == "message_action":
            b["callback_id"] = "open_support_request"
            b["channel"]["id"] = CHANNEL
        if k == "view_submission":
            b["view"]["callback_id"] = "slackops_open_request"
    return b


@pytest.mark.parametrize("path", PAYLOADS, ids=[p.stem for p in PAYLOADS])
def test_real_payload_addressed_to_this_app(desk, log_records, path: Path) -> None:
    rid = desk.open_request()
    desk.settle()
    log_records.clear()
    body = readdress(json.loads(path.read_text(encoding="utf-8")), rid)
    r = replay(desk, body)
    if kind(body) in NOT_SUBSCRIBED:
        assert r.status == 404, (r.status, r.text)
    else:
        assert 200 <= r.status < 300, (r.status, r.text)
    k = kind(body)
    if k in ("command", "message_action"):  # the form opens
        wait_for(lambda: desk.wait_view("slackops_open_request", count=2), what="the form")
    desk.settle()
    no_tracebacks(log_records)
