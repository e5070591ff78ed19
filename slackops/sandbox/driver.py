"""Sends requests to the app in HTTP mode signed exactly as Slack signs them.

Slack signs ``v0:{X-Slack-Request-Timestamp}:{raw body}`` with HMAC-SHA256 and the app's
signing secret and sends ``X-Slack-Signature: v0=<hex>``. Slash commands arrive
form-encoded; interactivity (block actions, view submissions, shortcuts) arrives as a
form field ``payload`` holding JSON; events arrive as JSON, with ``X-Slack-Retry-Num``
and ``X-Slack-Retry-Reason`` on redeliveries.

With ``link`` (a :class:`slackops.sandbox.socket_mode.SocketModeLink` the app is connected
to) the same requests go over Socket Mode instead, as Slack sends them there: in an
envelope (``slash_commands``, ``interactive``, ``events_api``), unsigned, and the app's
acknowledgement (its ``payload``) stands for the HTTP answer's body.

Every body has the fields Slack sends for its kind (:mod:`slackops.sandbox.payloads`);
given the stand-in (``slack``), who a person is (their workspace, their Grid organisation),
whether a channel is shared and the installation's kind come from it, as Slack knows them.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from slackops.sandbox.payloads import (
    Install,
    Who,
    command_identity,
    envelope,
    interactive_identity,
)

__all__ = ["Response", "SlackDriver", "sign"]

_counter = itertools.count(1)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDriver:
    """Plays Slack's part against ``base_url`` (the app's ``/slack/events`` URL)."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0VENDOR",
        api_app_id: str = "A0SLACKOPS",
        response_url: str = "https://hooks.slack.invalid/commands/x",
        timeout: float = 10.0,
        keep_alive: bool = False,
        link: Any = None,
        slack: Any = None,
    ) -> None:
        self.url = base_url
        self.link = link
        self.slack = slack  # the stand-in (a FakeSlack), when there is one
        self.keep_alive = keep_alive
        self._local = threading.local()
        self.secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.response_url = response_url
        self.timeout = timeout

    # -- raw -------------------------------------------------------------------------
    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Response:
        if self.link is not None:
            return self._send_envelope(body, content_type, headers or {})
        ts = str(int(time.time()) if timestamp is None else timestamp)
        hdrs = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature if signature is not None else sign(self.secret, ts, body),
        }
        hdrs.update(headers or {})
        if self.keep_alive:
            return self._send_kept_alive(body, hdrs)
        req = urllib.request.Request(self.url, data=body, headers=hdrs, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                data = r.read()
                return Response(r.status, dict(r.headers), data, time.perf_counter() - started)
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read(), time.perf_counter() - started)

    def _send_envelope(self, body: bytes, content_type: str, headers: dict[str, str]) -> Response:
        """Socket Mode: the request in its envelope; the acknowledgement's payload as the body."""
        started = time.perf_counter()
        if content_type == "application/json":
            kind, payload = "events_api", json.loads(body)
        else:
            fields = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
            if "payload" in fields:
                kind, payload = "interactive", json.loads(fields["payload"])
            else:
                kind, payload = "slash_commands", fields
        retry = int(headers.get("X-Slack-Retry-Num") or 0)
        eid = self.link.send(kind, payload, retry_attempt=retry)
        ack = self.link.ack(eid, timeout=self.timeout)
        answer = ack.get("payload")
        data = json.dumps(answer).encode() if answer else b""
        return Response(200, {"Content-Type": "application/json"} if data else {}, data, time.perf_counter() - started)

    def _send_kept_alive(self, body: bytes, hdrs: dict[str, str]) -> Response:
        """One HTTP/1.1 connection per thread, kept open between requests (benchmarks: the
        clients play Slack, whose CPU is not the app's; urlopen's new connection and opener
        for every request cost the clients twice as much)."""
        parts = urllib.parse.urlsplit(self.url)
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(cast(str, parts.hostname), parts.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request("POST", parts.path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            self._local.conn = None
            raise
        if r.will_close:
            conn.close()
            self._local.conn = None
        return Response(r.status, dict(r.headers), data, time.perf_counter() - started)

    def send_form(self, fields: dict[str, Any], **kw: Any) -> Response:
        return self.send(urlencode(fields).encode(), "application/x-www-form-urlencoded", **kw)

    def send_payload(self, payload: dict[str, Any], **kw: Any) -> Response:
        return self.send_form({"payload": json.dumps(payload)}, **kw)

    # -- helpers ---------------------------------------------------------------------
    @property
    def install(self) -> Install:
        if self.slack is not None:
            return cast(Install, self.slack.install)
        return Install(self.team_id, api_app_id=self.api_app_id)

    def _who(self, user_id: str, team_id: str | None) -> Who:
        if self.slack is not None:
            return cast(Who, self.slack.who(user_id, team_id))
        team = team_id or self.team_id
        return Who(user_id, team, domain="vendor" if team == self.team_id else team.lower())

    def _shared(self, channel: str | None) -> bool:
        return bool(self.slack is not None and self.slack.is_shared(channel))

    def trigger_id(self) -> str:
        return f"{next(_counter)}.{int(time.time())}.trigger"

    # -- slash commands --------------------------------------------------------------
    def command(
        self,
        command: str = "/support",
        text: str = "",
        *,
        user_id: str,
        channel_id: str,
        team_id: str | None = None,
        user_team_id: str | None = None,
        enterprise_id: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **kw: Any,
    ) -> Response:
        """A slash command as Slack posts it. It names the workspace it was run in (the
        installation's, or ``team_id``) and, on Grid, the organisation (``enterprise_id``
        overrides it), never the person's own workspace: ``user_team_id`` is accepted for
        the callers' symmetry with the other kinds and not sent (Slack sends no such field;
        the app asks ``users.info``)."""
        install = self.install
        fields: dict[str, Any] = {
            **command_identity(install),
            "channel_id": channel_id,
            "channel_name": channel_id.lower(),
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": install.api_app_id,
            "is_enterprise_install": "true" if install.org_install else "false",
            "response_url": response_url or self.response_url,
            "trigger_id": trigger_id or self.trigger_id(),
        }
        if team_id:
            fields["team_id"] = team_id
        if enterprise_id:
            fields["enterprise_id"] = enterprise_id
        return self.send_form(fields, **kw)

    # -- interactivity ---------------------------------------------------------------
    def block_action(
        self,
        action_id: str,
        value: str = "",
        *,
        user_id: str,
        user_team_id: str | None = None,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
        block_id: str = "b",
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        action_type: str = "button",
        selected_option: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **kw: Any,
    ) -> Response:
        """``extra``: more of the action's fields (``selected_options``, ``selected_user``,
        ``selected_date``...), as the element's type has them."""
        action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type, "action_ts": f"{time.time():.6f}"}
        if action_type == "button":
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = selected_option
        action.update(extra or {})
        payload: dict[str, Any] = {"type": "block_actions", **interactive_identity(self._who(user_id, user_team_id),
                                                                                    self.install)}
        if message is not None:
            payload["container"] = container or {"type": "message", "message_ts": message.get("ts"),
                                                 "channel_id": channel_id, "is_ephemeral": False}
        elif view is not None:
            payload["container"] = container or {"type": "view", "view_id": view.get("id")}
        elif container is not None:
            payload["container"] = container
        payload["trigger_id"] = trigger_id or self.trigger_id()
        if channel_id:
            payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
        if message is not None:
            payload["message"] = message
        if view is not None:
            payload["view"] = view
        else:  # a message's action (an ephemeral's too) has a response_url; a modal's has none
            payload["response_url"] = response_url or self.response_url
        payload["actions"] = [action]
        return self.send_payload(payload, **kw)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user_id: str,
        user_team_id: str | None = None,
        private_metadata: str = "",
        view_id: str | None = None,
        view: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        **kw: Any,
    ) -> Response:
        """``values`` is Slack's ``view.state.values``: {block_id: {action_id: {type, value...}}}.
        ``view``: the modal as it was opened (its title, blocks and hash are sent back)."""
        view_id = view_id or f"V{next(_counter):08d}"
        who, install = self._who(user_id, user_team_id), self.install
        sent: dict[str, Any] = {
            "id": view_id,
            "team_id": who.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"h{view_id}",
            "title": {"type": "plain_text", "text": "slackops"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": install.api_app_id,
            "external_id": "",
            "app_installed_team_id": install.enterprise_id if install.org_install else install.team_id,
            "bot_id": "B0BOT" if self.slack is None else self.slack.bot_id,
        }
        for k in ("title", "blocks", "hash", "submit", "close", "root_view_id", "previous_view_id"):
            if view and k in view:
                sent[k] = view[k]
        payload = {"type": "view_submission", **interactive_identity(who, install),
                   "trigger_id": trigger_id or self.trigger_id(), "view": sent, "response_urls": []}
        return self.send_payload(payload, **kw)

    def message_shortcut(
        self,
        callback_id: str,
        *,
        user_id: str,
        channel_id: str,
        message: dict[str, Any],
        user_team_id: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **kw: Any,
    ) -> Response:
        payload = {
            "type": "message_action",
            **interactive_identity(self._who(user_id, user_team_id), self.install, app_id=False,
                                   user_fields=("id", "name", "team_id")),
            "callback_id": callback_id,
            "trigger_id": trigger_id or self.trigger_id(),
            "channel": {"id": channel_id, "name": channel_id.lower()},
            "message": message,
            "message_ts": message.get("ts"),
            "response_url": response_url or self.response_url,
            "action_ts": f"{time.time():.6f}",
        }
        return self.send_payload(payload, **kw)

    def global_shortcut(self, callback_id: str, *, user_id: str, user_team_id: str | None = None, **kw: Any) -> Response:
        payload = {
            "type": "shortcut",
            **interactive_identity(self._who(user_id, user_team_id), self.install, app_id=False,
                                   user_fields=("id", "username", "team_id")),
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(),
            "action_ts": f"{time.time():.6f}",
        }
        return self.send_payload(payload, **kw)

    # -- events ----------------------------------------------------------------------
    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **kw: Any,
    ) -> Response:
        channel = event.get("channel") or (event.get("item") or {}).get("channel")
        body = envelope(event, self.install, ext_shared=self._shared(channel), eid=event_id)
        headers = dict(kw.pop("headers", {}) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return self.send(json.dumps(body).encode(), "application/json", headers=headers, **kw)

    def url_verification(self, challenge: str = "c") -> Response:
        body = {"token": "legacy-verification-token", "challenge": challenge, "type": "url_verification"}
        return self.send(json.dumps(body).encode(), "application/json")
