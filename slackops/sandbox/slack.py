"""A stand-in for Slack's Web API served over HTTP on 127.0.0.1: the sandbox's Slack and
the tests' (one implementation for both).

It answers the methods slackops uses the way Slack does (``{"ok": true, ...}`` or
``{"ok": false, "error": ...}``), keeps the messages it was sent (as they stand after
``chat.update``), records every call with its full body, and fails on demand: HTTP 429
with ``Retry-After``, 5xx, or a slow answer that makes the client time out.

It also keeps what people do there (``post_as``, ``react_as``: the messages and reactions
that Slack would then announce to the app as events), each person's stack of open modals
(a ``trigger_id`` registered with ``triggers`` names whose it is), and a ``version`` that
grows with every change (``wait_change`` blocks until it does: the sandbox page's live
updates).

    fake = FakeSlack(team_id="T0VENDOR").start()
    grid = FakeSlack(team_id="T0VENDOR", enterprise_id="E0VENDOR", org_install=True).start()
    client = WebClient(token="xoxb-test", base_url=fake.url)
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlparse

from slackops.sandbox.payloads import Install, Who
from slackops.sandbox.slack_views import ViewsAndPeople, _Channel
from slackops.sandbox.socket_mode import SocketModeLink

__all__ = ["Call", "DEFAULT_SCOPES", "FakeSlack"]

DEFAULT_SCOPES = ("commands", "chat:write", "channels:history", "groups:history", "channels:read", "groups:read",
                  "reactions:read", "pins:write", "users:read", "usergroups:read", "im:write", "im:history", "files:write")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int = 200


@dataclass
class _Failure:
    status: int | str
    retry_after: int
    delay: float
    times: int
    channel: str | None = None  # only calls to this channel fail


_READS = frozenset({"api.test", "apps.connections.open", "auth.test", "chat.getPermalink", "conversations.info", "conversations.members",
                    "conversations.history", "conversations.replies", "users.info", "usergroups.users.list"})


def _flatten(qs: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in qs.items()}


def _maybe_json(value: Any) -> Any:
    """Form-encoded calls carry blocks/metadata/view as JSON strings: decode them."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlack(ViewsAndPeople):
    """The fake Web API. Thread-safe; start() returns self."""

    def __init__(self, team_id: str = "T0VENDOR", bot_user_id: str = "U0BOT", bot_id: str = "B0BOT", *,
                 enterprise_id: str | None = None, enterprise_name: str = "Vendor Org", org_install: bool = False,
                 api_app_id: str = "A0SLACKOPS") -> None:
        """``enterprise_id``: the vendor is an Enterprise Grid organisation (Grid mode),
        ``team_id`` its workspace where the app runs; ``org_install``: the app is installed
        org-wide rather than in that workspace."""
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.enterprise_name = enterprise_name if enterprise_id else ""
        self.org_install = bool(enterprise_id and org_install)
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channels: dict[str, _Channel] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.pins: list[tuple[str, str]] = []
        self.reactions: list[tuple[str, str, str]] = []
        self.responses: list[dict[str, Any]] = []  # bodies posted to response_url
        self.responded: list[tuple[str, dict[str, Any]]] = []  # (the response_url's name, body)
        self.files: dict[str, dict[str, Any]] = {}  # files.uploadV2: id -> name, length, content, shared to
        self._messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._lock = threading.RLock()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._rate: float | None = None
        self._burst = 1
        self._buckets: dict[str, tuple[float, float]] = {}
        self.triggers: dict[str, str] = {}  # trigger_id -> the user it was given to
        self.modals: dict[str, list[str]] = {}  # user -> ids of their open modals, the top last
        self.version = 0
        self.on_response: Callable[[str, dict[str, Any]], None] | None = None  # called with (name, body)
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # the bot token's scopes, sent in every answer's x-oauth-scopes header as Slack does
        self.scopes: list[str] = list(DEFAULT_SCOPES)
        self.tokens: set[str] | None = None  # the tokens Slack accepts (None: any)
        self.link: SocketModeLink | None = None  # Socket Mode's WebSocket, once the app asked for it
        self.add_user(bot_user_id, team_id=team_id, name="slackops", is_bot=True)

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # kept-alive connections: answer without waiting on Nagle (headers and body go
            # out in separate writes, and the client's delayed ACK would hold the body 40 ms)
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-slack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server, "start() first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL of the Web API (SLACK_API_URL), ending in a slash."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r") -> str:
        """A response_url that records what the app posts to it (see ``responses``)."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- set-up ----------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        *,
        team_id: str | None = None,
        name: str | None = None,
        tz: str = "America/Denver",
        tz_label: str = "Mountain Standard Time",
        tz_offset: int = -25200,
        is_stranger: bool = False,
        is_bot: bool = False,
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
    ) -> None:
        """A person as ``users.info`` tells of them. ``team_id``: their workspace (default the
        vendor's); ``enterprise_id``: their Grid organisation (default, in Grid mode, the
        vendor's for a person of the vendor's workspace). ``is_stranger``: Slack's flag for
        someone of another workspace who shares no channel the app can see (not a Slack
        Connect partner, whose ``team_id`` alone says they are from elsewhere)."""
        team_id = team_id or self.team_id
        if enterprise_id is None and team_id == self.team_id:
            enterprise_id = self.enterprise_id
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": team_id,
            "name": name or user_id.lower(),
            "real_name": name or user_id,
            "tz": tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_bot": is_bot,
            "deleted": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "profile": {"display_name": name or user_id, "real_name": name or user_id, "team": team_id},
        }
        if is_stranger:
            user["is_stranger"] = True
        if enterprise_id:
            org = enterprise_name or (self.enterprise_name if enterprise_id == self.enterprise_id else enterprise_id)
            user["enterprise_user"] = {"id": user_id, "enterprise_id": enterprise_id, "enterprise_name": org,
                                       "is_admin": False, "is_owner": False, "teams": [team_id]}
        with self._lock:
            self.users[user_id] = user

    def add_usergroup(self, group_id: str, users: list[str]) -> None:
        with self._lock:
            self.usergroups[group_id] = list(users)

    def add_channel(self, channel_id: str, *, name: str | None = None, is_ext_shared: bool = False, members: list[str] | None = None,
                    bot_member: bool = True, shared_with: list[str] | None = None, host: str | None = None) -> None:
        """A channel; ``shared_with``: the other sides of a Slack Connect channel (their team
        or org ids), ``host``: who created it (default the vendor)."""
        mine = str(self.enterprise_id if self.org_install else self.team_id)
        teams = [mine, *(shared_with or [])] if (is_ext_shared or shared_with) else []
        with self._lock:
            self.channels[channel_id] = _Channel(channel_id, name or channel_id.lower(), bool(teams), False,
                                                 list(members or []), bot_member, teams, host or mine)

    # -- who is who, for the payloads -----------------------------------------------
    @property
    def install(self) -> Install:
        return Install(self.team_id, self.bot_user_id, self.api_app_id, "vendor", self.enterprise_id,
                       self.enterprise_name, self.org_install)

    def who(self, user_id: str, team_id: str | None = None) -> Who:
        """The person as Slack's payloads name them: their workspace (``team_id`` if given,
        else users.info's) and their organisation."""
        with self._lock:
            user = self.users.get(user_id) or {}
        team = team_id or user.get("team_id") or self.team_id
        ent = (user.get("enterprise_user") or {}) if team == user.get("team_id", team) else {}
        if not ent and team == self.team_id and self.enterprise_id:
            ent = {"enterprise_id": self.enterprise_id, "enterprise_name": self.enterprise_name}
        return Who(user_id, team, ent.get("enterprise_id"), str(ent.get("enterprise_name") or ""),
                   "vendor" if team == self.team_id else team.lower())

    def is_shared(self, channel: str | None) -> bool:
        ch = self.channels.get(channel or "")
        return bool(ch and ch.is_ext_shared)

    def fail_next(self, method: str, status: int | str = 429, *, retry_after: int = 1, times: int = 1, delay: float = 0.0,
                  channel: str | None = None) -> None:
        """Make the next ``times`` calls of ``method`` (to ``channel``, if given) fail: 429
        (with Retry-After), any 5xx, or ``"timeout"`` (the answer comes after ``delay``
        seconds, default 30; the call itself is then carried out, as Slack does)."""
        if status == "timeout" and not delay:
            delay = 30.0
        with self._lock:
            self._failures[method].append(_Failure(status, retry_after, delay, times, channel))

    def rate_limit(self, per_second: float | None, burst: int = 1) -> None:
        """Enforce Slack's chat.postMessage pacing per channel (None switches it off)."""
        with self._lock:
            self._rate, self._burst, self._buckets = per_second, burst, {}

    # -- reading back ----------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Messages as they stand now, oldest first. ``thread_ts`` selects a thread's
        replies (not its root); without it, all messages of the channel(s)."""
        with self._lock:
            chans = [channel] if channel else list(self._messages)
            out = [dict(m) for c in chans for m in self._messages.get(c, [])]
        if thread_ts is not None:
            out = [m for m in out if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]
        return sorted(out, key=lambda m: float(m["ts"]))

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            return next((dict(m) for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    # -- what people do ---------------------------------------------------------------
    def post_as(self, user_id: str, channel: str, text: str, thread_ts: str | None = None) -> dict[str, Any]:
        """A person's message (Slack then sends the app a ``message`` event: the caller's part)."""
        with self._lock:
            user = self.users.get(user_id) or {}
            msg: dict[str, Any] = {"type": "message", "ts": self._next_ts(), "channel": channel, "user": user_id,
                                   "team": user.get("team_id", self.team_id), "text": text}
            if self.is_shared(channel):  # as conversations.history has it in a Slack Connect channel
                ent = (user.get("enterprise_user") or {}).get("enterprise_id")
                msg["user_team"] = msg["source_team"] = ent or msg["team"]
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._messages[channel].append(msg)
            self._bump()
            return dict(msg)

    def react_as(self, user_id: str, channel: str, ts: str, name: str) -> bool:
        """A person's reaction on a message; False if they had already reacted so (or no message)."""
        with self._lock:
            msg = next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)
            if msg is None or not self._add_reaction(msg, name, user_id):
                return False
            self._bump()
            return True

    def ephemeral(self, channel: str, user_id: str, text: str = "", blocks: list[Any] | None = None,
                  thread_ts: str | None = None) -> None:
        """An answer only ``user_id`` sees (a slash command's or a response_url's): as
        chat.postEphemeral keeps them."""
        with self._lock:
            item: dict[str, Any] = {"channel": channel, "user": user_id, "text": text, "message_ts": self._next_ts()}
            if blocks:
                item["blocks"] = blocks
            if thread_ts:
                item["thread_ts"] = thread_ts
            self.ephemerals.append(item)
            self._bump()

    def replace_view(self, view_id: str, view: dict[str, Any]) -> None:
        """A modal changed in place (``response_action: update``)."""
        with self._lock:
            self.views[view_id] = {**view, "id": view_id, "hash": f"h{view_id}.{self.version}"}
            self._bump()

    def push_view(self, user_id: str, view: dict[str, Any]) -> None:
        """A modal on top of the person's others (``response_action: push``)."""
        with self._lock:
            res = self._new_view(view)
            if res.get("ok"):
                self.modals.setdefault(user_id, []).append(res["view"]["id"])
            self._bump()

    def close_modal(self, user_id: str, view_id: str | None = None) -> None:
        """The person closes their top modal (``view_id``: that one and those above it)."""
        with self._lock:
            stack = self.modals.get(user_id, [])
            if view_id in stack:
                del stack[stack.index(view_id):]
            elif stack:
                stack.pop()
            self._bump()

    def clear_modals(self, user_id: str) -> None:
        with self._lock:
            self.modals.pop(user_id, None)
            self._bump()

    def wait_change(self, since: int, timeout: float) -> int:
        """Block until ``version`` differs from ``since`` (or ``timeout`` seconds); return it."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != since, timeout=timeout)
            return self.version

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip()
        if parsed.path.startswith("/upload/"):  # files.uploadV2's step 2: the bytes, to the URL step 1 gave
            fid = parsed.path.rsplit("/", 1)[1]
            with self._lock:
                f = self.files.get(fid)
                if f is None:
                    return self._send_raw(h, 404, b"no such upload", "text/plain")
                f["content"] = raw
            return self._send_raw(h, 200, f"OK - {len(raw)}".encode(), "text/plain")
        params: dict[str, Any] = _flatten(parse_qs(parsed.query))
        if raw:
            if ctype == "application/json":
                try:
                    params.update(json.loads(raw))
                except ValueError:
                    return self._send(h, 400, {"ok": False, "error": "invalid_json"})
            else:
                params.update({k: _maybe_json(v) for k, v in _flatten(parse_qs(raw.decode())).items()})
        headers = {k.lower(): v for k, v in h.headers.items()}

        if parsed.path.startswith("/response/"):
            with self._lock:
                self.calls.append(Call("response_url", params, headers, time.time()))
                self.responses.append(params)
                self.responded.append((parsed.path[len("/response/"):], params))
                self._bump()
            if self.on_response is not None:
                self.on_response(parsed.path[len("/response/"):], params)
            return self._send(h, 200, {"ok": True})
        if not parsed.path.startswith("/api/"):
            return self._send(h, 404, {"ok": False, "error": "unknown_path"})
        method = parsed.path[len("/api/"):]
        call = Call(method, params, headers, time.time())
        with self._lock:
            self.calls.append(call)
            failure = self._take_failure(method, params.get("channel"))
        if failure:
            if failure.delay:
                time.sleep(failure.delay)
            if failure.status == 429:
                call.status = 429
                return self._send(h, 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(failure.retry_after)})
            if isinstance(failure.status, int):
                call.status = failure.status
                return self._send_raw(h, failure.status, b"upstream error", "text/plain")
        token = headers.get("authorization", "").removeprefix("Bearer ").strip() or params.get("token")
        if method not in ("api.test",) and not token:
            return self._send(h, 200, {"ok": False, "error": "not_authed"})
        if method not in ("api.test",) and self.tokens is not None and token not in self.tokens:
            return self._send(h, 200, {"ok": False, "error": "invalid_auth"})
        if method == "apps.connections.open":  # the only method that answers by the kind of token
            params = {**params, "token": token}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return self._send(h, 200, {"ok": False, "error": "unknown_method"})
        with self._lock:
            if method == "chat.postMessage" and self._rate and not self._take_token(str(params.get("channel"))):
                call.status = 429
                return self._send(h, 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
            body = handler(params)
            scopes = ",".join(self.scopes)
            if body.get("ok") and method not in _READS:
                self._bump()
        self._send(h, 200, body, {"x-oauth-scopes": scopes, "x-accepted-oauth-scopes": ""})

    def _take_failure(self, method: str, channel: Any = None) -> _Failure | None:
        q = self._failures.get(method)
        f = next((f for f in q or () if f.channel is None or f.channel == channel), None)
        if f is None:
            return None
        f.times -= 1
        if f.times <= 0:
            cast("deque[_Failure]", q).remove(f)  # f came from q, so q is not None
        return f

    def _take_token(self, channel: str) -> bool:
        now = time.monotonic()
        tokens, last = self._buckets.get(channel, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - last) * (self._rate or 0))
        if tokens < 1:
            self._buckets[channel] = (tokens, now)
            return False
        self._buckets[channel] = (tokens - 1, now)
        return True

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: dict[str, Any], extra: dict[str, str] | None = None) -> None:
        self._send_raw(h, status, json.dumps(body).encode(), "application/json; charset=utf-8", extra)

    @staticmethod
    def _send_raw(h: BaseHTTPRequestHandler, status: int, data: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    # -- methods ---------------------------------------------------------------------
    def _next_ts(self) -> str:
        # Slack's ts is the time it was posted (seconds.micro-ish, unique per channel):
        # the count keeps them unique and in order
        n = next(self._ts)
        return f"{int(time.time())}.{n:06d}"

    def socket_mode(self) -> SocketModeLink:
        """The WebSocket ``apps.connections.open`` hands out (started on first use)."""
        with self._lock:
            if self.link is None:
                self.link = SocketModeLink()
            return self.link

    def _m_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        token = str(p.get("token") or "")
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_mode().url}

    def _m_api_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": p}

    def _m_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": True, "url": "https://vendor.slack.com/", "team": "Vendor", "user": "slackops",
                               "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
                               "is_enterprise_install": self.org_install}
        if self.enterprise_id:
            out["enterprise_id"] = self.enterprise_id
        if self.org_install:  # the organisation's token: the org stands where a workspace would
            out.update(url="https://vendor-org.enterprise.slack.com/", team=self.enterprise_name,
                       team_id=self.enterprise_id)
        return out

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = p.get("channel")
        if not channel:
            return self._err("channel_not_found")
        known = self.channels.get(channel)
        if known is not None and not known.is_im and not known.bot_member:
            return self._err("not_in_channel")
        if not p.get("text") and not p.get("blocks") and not p.get("attachments"):
            return self._err("no_text")
        blocks = p.get("blocks")
        if isinstance(blocks, list) and len(blocks) > 50:
            return self._err("invalid_blocks")
        thread_ts = p.get("thread_ts")
        if thread_ts and not any(m["ts"] == thread_ts for m in self._messages.get(channel, [])):
            return self._err("thread_not_found")
        msg: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "channel": channel,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": p.get("text", ""),
        }
        if blocks is not None:
            msg["blocks"] = blocks
        if thread_ts:
            msg["thread_ts"] = thread_ts
        if p.get("metadata"):
            msg["metadata"] = p["metadata"]
        self._messages[channel].append(msg)
        return {"ok": True, "channel": channel, "ts": msg["ts"], "message": dict(msg)}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = p.get("channel"), p.get("ts")
        for m in self._messages.get(cast(str, channel), []):
            if m["ts"] == ts:
                for k in ("text", "blocks", "metadata"):
                    if k in p:
                        m[k] = p[k]
                m["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
                return {"ok": True, "channel": channel, "ts": ts, "text": m.get("text", "")}
        return self._err("message_not_found")

    def _m_chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = p.get("channel"), p.get("ts")
        msgs = self._messages.get(cast(str, channel), [])
        for i, m in enumerate(msgs):
            if m["ts"] == ts:
                del msgs[i]
                return {"ok": True, "channel": channel, "ts": ts}
        return self._err("message_not_found")

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel") or not p.get("user"):
            return self._err("channel_not_found" if not p.get("channel") else "user_not_in_channel")
        ts = self._next_ts()
        self.ephemerals.append({**p, "message_ts": ts})
        return {"ok": True, "message_ts": ts}

    def _m_chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = p.get("channel"), str(p.get("message_ts", ""))
        return {"ok": True, "channel": channel, "permalink": f"https://vendor.slack.com/archives/{channel}/p{ts.replace('.', '')}"}

    def _m_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not str(p.get("length", "")).isdigit():
            return self._err("invalid_arguments")
        fid = f"F{next(self._ids):08d}"
        self.files[fid] = {"id": fid, "name": p["filename"], "length": int(p["length"]), "content": None,
                           "channel": None, "title": None, "initial_comment": None}
        return {"ok": True, "file_id": fid, "upload_url": f"http://127.0.0.1:{self.port}/upload/{fid}"}

    def _m_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        items = p.get("files")
        if not isinstance(items, list) or not items:
            return self._err("invalid_arguments")
        out = []
        for item in items:
            f = self.files.get(item.get("id", ""))
            if f is None or f["content"] is None:
                return self._err("file_not_found")
            if len(f["content"]) != f["length"]:
                return self._err("file_upload_size_mismatch")
            f.update(channel=p.get("channel_id"), title=item.get("title"), initial_comment=p.get("initial_comment"))
            out.append({"id": f["id"], "name": f["name"], "title": f["title"], "size": f["length"]})
        return {"ok": True, "files": out}
