"""manifest.yml and the listeners cannot drift apart: every command, shortcut and event the
manifest names has a listener, and every listener is reachable from the manifest."""

from __future__ import annotations

from pathlib import Path

import yaml

from slackops.slack.blocks import card, home, messages, modals  # noqa: F401 - builders use the ids
from slackops.slack.ids import ActionId, CallbackId, Command, EventType, ShortcutId
from slackops.slack.listeners.actions import ACTIONS
from slackops.slack.listeners.commands import COMMANDS
from slackops.slack.listeners.events import EVENTS
from slackops.slack.listeners.shortcuts import SHORTCUTS
from slackops.slack.listeners.views import VIEWS

MANIFEST = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())

# bot_events name the message event by where it happens
EVENT_OF_SUBSCRIPTION = {"message.channels": "message", "message.groups": "message", "message.im": "message",
                         "message.mpim": "message"}


def test_every_manifest_command_has_a_listener_and_back():
    manifest = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert manifest == {str(c) for c in COMMANDS} == {str(c) for c in Command}


def test_every_manifest_shortcut_has_a_listener_and_back():
    manifest = {s["callback_id"] for s in MANIFEST["features"]["shortcuts"]}
    assert manifest == {str(s) for s in SHORTCUTS} == {str(s) for s in ShortcutId}
    assert all(len(s["name"]) <= 24 for s in MANIFEST["features"]["shortcuts"])


def test_every_subscribed_event_has_a_listener_and_back():
    subscribed = {EVENT_OF_SUBSCRIPTION.get(e, e) for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}
    assert subscribed == {str(e) for e in EVENTS} == {str(e) for e in EventType}


def test_interactivity_on_for_actions_and_views_and_every_id_has_a_listener():
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert set(ACTIONS) == set(ActionId)
    assert set(VIEWS) == set(CallbackId)


def test_builders_use_only_ids_with_listeners():
    """Every action_id and callback_id in the builders' source comes from the enums."""
    import inspect
    import re

    src = "".join(inspect.getsource(m) for m in (card, home, messages, modals))
    literal_ids = re.findall(r'"(req_[a-z_]+|esc_[a-z_]+|slackops_[a-z_]+)"', src)
    assert literal_ids == [], f"use slackops.slack.ids, not literals: {literal_ids}"


def test_app_home_socket_mode_and_scopes():
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    for needed in ("commands", "chat:write", "channels:history", "reactions:read", "pins:write", "users:read",
                   "usergroups:read", "im:write"):
        assert needed in scopes
    assert "admin" not in " ".join(scopes)


def test_registered_with_bolt(desk):
    """The app really has a listener per id (Bolt answers 404 for requests nobody handles)."""
    import json

    for action in ActionId:
        r = desk.driver.block_action(str(action), json.dumps({"r": "ACME-404"}), user_id="U0AGENT1", channel_id="C0ACMESHARED")
        assert r.status == 200, (action, r.status)


def test_installable_org_wide_on_enterprise_grid():
    """A vendor on Enterprise Grid installs the app once for the organisation (docs/slack.md);
    org-wide apps take the organisation's token: one bot, every workspace the admin adds."""
    assert MANIFEST["settings"]["org_deploy_enabled"] is True
    assert MANIFEST["settings"]["token_rotation_enabled"] is False
