"""The shapes of what Slack sends an app, for the stand-in and its driver: each field is
one that Slack's real requests carry for that kind (the captured bodies and field lists
under tests/data/slack_payloads/ are the reference; tests/slack/test_fake_slack.py checks
every builder here against them), and no field is added because the app would like it.

- Events arrive in an ``event_callback`` envelope: ``team_id`` (the workspace it happened
  in), ``enterprise_id`` on Enterprise Grid, ``api_app_id``, ``event_id`` (unique, never
  reused: ``Ev`` and base 36), ``event_time``, ``authorizations`` (the installation the
  event is for), ``is_ext_shared_channel`` and an opaque ``event_context``.
- A message in a shared channel carries ``user_team`` and ``source_team``: the poster's
  workspace, or on Grid the poster's organisation (``E...``); ``team`` is their workspace.
  ``reaction_added`` names no team at all.
- Interactive payloads (``block_actions``, ``view_submission``, ``shortcut``,
  ``message_action``) carry ``user`` {id, username, name, team_id}, ``team`` {id, domain,
  enterprise_id?, enterprise_name?} of the person's workspace, ``enterprise`` ({id, name} or
  null), ``is_enterprise_install``, ``api_app_id``, ``trigger_id`` and, for actions on a
  message or a view, ``container``.
- A slash command names the workspace where it was run (``team_id``, the installation's
  workspace), ``enterprise_id``/``enterprise_name`` on Grid, ``is_enterprise_install``; it
  never names the person's own workspace (no ``user_team_id``).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["Install", "Who", "event_id", "envelope", "message_event", "reaction_event", "interactive_identity",
           "command_identity"]

_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _B36[r] + out
    return out or "0"


def event_id() -> str:
    """A new event id as Slack's look (``Ev`` and upper-case base 36), unique across runs:
    the time in microseconds and 20 random bits, never a count that starts again at 1."""
    return f"Ev{_base36(time.time_ns() // 1000)}{_base36(secrets.randbits(20)).rjust(4, '0')}"


@dataclass(frozen=True)
class Install:
    """The vendor's installation of the app: a plain workspace (``enterprise_id`` None), a
    workspace of an Enterprise Grid organisation, or the whole organisation (``org_install``)."""

    team_id: str
    bot_user_id: str = "U0BOT"
    api_app_id: str = "A0SLACKOPS"
    domain: str = "vendor"
    enterprise_id: str | None = None
    enterprise_name: str = ""
    org_install: bool = False

    def authorizations(self) -> list[dict[str, Any]]:
        # an org-wide installation is the organisation's, not one workspace's: team_id null
        return [{"enterprise_id": self.enterprise_id, "team_id": None if self.org_install else self.team_id,
                 "user_id": self.bot_user_id, "is_bot": True, "is_enterprise_install": self.org_install}]


@dataclass(frozen=True)
class Who:
    """A person as Slack knows them: their workspace, and their organisation on Grid."""

    user_id: str
    team_id: str
    enterprise_id: str | None = None
    enterprise_name: str = ""
    domain: str = ""


def envelope(event: dict[str, Any], install: Install, *, ext_shared: bool, eid: str | None = None) -> dict[str, Any]:
    """The ``event_callback`` body Slack posts for ``event``."""
    now = int(time.time())
    body: dict[str, Any] = {"token": "legacy-verification-token", "team_id": install.team_id}
    if install.enterprise_id:
        body["enterprise_id"] = install.enterprise_id
    channel = event.get("channel") or (event.get("item") or {}).get("channel") or ""
    context = base64.b64encode(json.dumps({"tid": install.team_id, "cid": channel}).encode()).decode().rstrip("=")
    body.update({
        "api_app_id": install.api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": eid or event_id(),
        "event_time": now,
        "authorizations": install.authorizations(),
        "is_ext_shared_channel": ext_shared,
        "event_context": f"4-{context}",
    })
    return body


def message_event(who: Who, channel: str, text: str, ts: str, *, shared: bool, thread_ts: str | None = None,
                  client_msg_id: str | None = None) -> dict[str, Any]:
    """A person's new message (``message.channels``) as the event has it."""
    event: dict[str, Any] = {"client_msg_id": client_msg_id or _uuid(), "type": "message", "text": text,
                             "user": who.user_id, "ts": ts, "team": who.team_id}
    if shared:  # Slack Connect: whose side the poster is on; an org member's side is the org
        event["user_team"] = event["source_team"] = who.enterprise_id or who.team_id
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update({"channel": channel, "event_ts": ts, "channel_type": "channel"})
    return event


def reaction_event(user_id: str, channel: str, ts: str, name: str, item_user: str | None) -> dict[str, Any]:
    """``reaction_added``: who reacted and on what; Slack names no team here."""
    event: dict[str, Any] = {"type": "reaction_added", "user": user_id,
                             "item": {"type": "message", "channel": channel, "ts": ts}, "reaction": name}
    if item_user:
        event["item_user"] = item_user
    event["event_ts"] = f"{time.time():.6f}"
    return event


def interactive_identity(who: Who, install: Install, *, app_id: bool = True,
                         user_fields: tuple[str, ...] = ("id", "username", "name", "team_id")) -> dict[str, Any]:
    """The fields of an interactive payload that say who acts and for which installation
    (``app_id``: whether the kind carries ``api_app_id``, shortcuts do not; ``user_fields``:
    the user's fields for the kind, a message shortcut has no ``username``, a global one
    no ``name``)."""
    team: dict[str, Any] = {"id": who.team_id, "domain": who.domain or who.team_id.lower()}
    if who.enterprise_id:
        team["enterprise_id"] = who.enterprise_id
        team["enterprise_name"] = who.enterprise_name
    name = who.user_id.lower()
    out = {
        "user": {k: v for k, v in (("id", who.user_id), ("username", name), ("name", name), ("team_id", who.team_id))
                 if k in user_fields},
        "api_app_id": install.api_app_id,
        "token": "legacy-verification-token",
        "team": team,
        "enterprise": {"id": who.enterprise_id, "name": who.enterprise_name} if who.enterprise_id else None,
        "is_enterprise_install": install.org_install,
    }
    if not app_id:
        del out["api_app_id"]
    return out


def command_identity(install: Install) -> dict[str, str]:
    """The form fields of a slash command that name the workspace and the installation."""
    fields = {"token": "legacy-verification-token", "team_id": install.team_id, "team_domain": install.domain}
    if install.enterprise_id:
        fields["enterprise_id"] = install.enterprise_id
        fields["enterprise_name"] = install.enterprise_name
    return fields


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())
