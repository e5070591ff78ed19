"""The guard in front of Bolt: nothing reaches a listener unless Slack sent it, in the shape
Slack sends.

Over HTTP every request to ``/slack/events`` is checked here before its body is parsed:

1. size: a body over :data:`MAX_BODY` bytes is refused with 413 (it is never read whole);
2. origin: ``X-Slack-Request-Timestamp`` must be a plain integer within
   :data:`TOLERANCE` seconds of now and ``X-Slack-Signature`` must be
   ``v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{body}")``, compared in constant
   time; anything else is refused with 401 and one log line (the reason and at most the
   first 200 bytes of the body, escaped), and nothing else happens;
3. shape: the body is parsed (UTF-8, form fields each given once, JSON objects of bounded
   depth) and checked against the shape of what Slack sends for the kind of request it
   says it is; a verified request that does not fit is answered 400 (404 for a kind
   slackops does not handle) with one warning line, and no listener runs.

In Socket Mode Slack's WebSocket is the proof of origin; the same shape check runs on each
envelope (:func:`envelope_problem`) before Bolt sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl

from slackops.slack.ids import EventType

__all__ = ["MAX_BODY", "TOLERANCE", "Verdict", "check_http", "envelope_problem", "excerpt", "payload_problem",
           "verify", "wsgi_guard"]

log = logging.getLogger("slackops.slack.guard")

MAX_BODY = 1 << 20
"""Bytes: Slack's largest payloads (a view submission with every field full, a long
message event) are a fraction of this."""
TOLERANCE = 300
"""Seconds a request's timestamp may be from now (Slack's own advice: five minutes)."""
MAX_DEPTH = 64
"""Nesting of JSON objects and arrays: Slack's payloads go about ten deep."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")

INTERACTIVE = frozenset({"block_actions", "view_submission", "view_closed", "shortcut", "message_action",
                         "block_suggestion"})
EVENT_TYPES = frozenset({"event_callback", "url_verification"})


class Verdict:
    """What the guard decided: ``status`` 0 lets the request through with its ``body``."""

    __slots__ = ("status", "reason", "body")

    def __init__(self, status: int, reason: str = "", body: dict[str, Any] | None = None) -> None:
        self.status, self.reason, self.body = status, reason, body


def excerpt(raw: bytes, limit: int = 200) -> str:
    """At most ``limit`` bytes of ``raw``, escaped so that they fit on one log line."""
    return repr(bytes(raw[:limit]))[2:-1] + ("..." if len(raw) > limit else "")


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None) -> str:
    """'' when Slack signed ``body``; otherwise why not (for the log, never for the sender)."""
    if not secret:
        return "no signing secret is configured"
    if not timestamp or not _TIMESTAMP.fullmatch(timestamp):
        return "the timestamp is missing or not an integer"
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE:
        return "the timestamp is more than five minutes away"
    if not signature or not _SIGNATURE.fullmatch(signature):
        return "the signature is missing or malformed"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "the signature does not match"
    return ""


# -- parsing -----------------------------------------------------------------------------
class _Malformed(ValueError):
    pass


def _depth_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests at most ``limit`` objects and arrays deep (level by level,
    looking only at containers: a payload's many strings cost nothing)."""
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > limit:
            return False
        below: list[Any] = []
        for v in level:
            items = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
            below.extend(x for x in items if isinstance(x, dict | list))
        level = below
    return True


def _no_constant(name: str) -> Any:
    raise _Malformed(f"JSON {name} is not a number Slack sends")


def _json_object(text: str, what: str) -> dict[str, Any]:
    if text.count("[") + text.count("{") > 20_000:
        raise _Malformed(f"{what} is nested or repeated beyond any Slack payload")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise _Malformed(f"{what} is nested too deeply") from None
    except ValueError as e:
        raise _Malformed(f"{what} is not JSON ({str(e)[:80]})") from None
    if not isinstance(value, dict):
        raise _Malformed(f"{what} is JSON {type(value).__name__}, not an object")
    if not _depth_ok(value):
        raise _Malformed(f"{what} is nested too deeply")
    return value


def parse(content_type: str, raw: bytes) -> tuple[str, dict[str, Any]]:
    """(kind, body): kind is ``command``, ``interactive`` or ``event``."""
    mime = content_type.split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Malformed("the body is not UTF-8") from None
    if mime == "application/json":
        return "event", _json_object(text, "the body")
    if mime != "application/x-www-form-urlencoded":
        raise _Malformed(f"content type {mime or 'none'!r} is not one Slack sends")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict",
                          max_num_fields=200)
    except (ValueError, UnicodeDecodeError) as e:
        raise _Malformed(f"the form is malformed ({str(e)[:80]})") from None
    fields: dict[str, str] = {}
    for k, v in pairs:
        if k in fields:
            raise _Malformed(f"the form field {k[:40]!r} is given twice")
        fields[k] = v
    if "payload" in fields:
        if len(fields) != 1:
            raise _Malformed("an interactive payload comes alone in its form")
        return "interactive", _json_object(fields["payload"], "the payload")
    return "command", fields


# -- shapes ------------------------------------------------------------------------------
def _str(d: dict[str, Any], key: str, *, required: bool = False, nonempty: bool = False) -> str:
    if key not in d or d[key] is None:
        return f"{key} is missing" if required else ""
    v = d[key]
    if not isinstance(v, str):
        return f"{key} is {type(v).__name__}, not a string"
    if nonempty and not v:
        return f"{key} is empty"
    return ""


def _dict(d: dict[str, Any], key: str, *, required: bool = False) -> str:
    if key not in d or d[key] is None:
        return f"{key} is missing" if required else ""
    return "" if isinstance(d[key], dict) else f"{key} is {type(d[key]).__name__}, not an object"


def _first(*problems: str) -> str:
    return next((p for p in problems if p), "")


def _user(p: dict[str, Any]) -> str:
    return _dict(p, "user", required=True) or _first(_str(p["user"], "id", required=True, nonempty=True),
                                                     _str(p["user"], "team_id"))


def _where(p: dict[str, Any]) -> str:
    problem = _first(_dict(p, "team"), _dict(p, "channel"), _dict(p, "container"), _dict(p, "message"),
                     _str(p, "trigger_id"), _str(p, "response_url"))
    if problem:
        return problem
    for key in ("team", "channel"):
        if isinstance(p.get(key), dict):
            problem = _str(p[key], "id", required=True, nonempty=True)
            if problem:
                return f"{key}.{problem}"
    c = p.get("container")
    if isinstance(c, dict):
        problem = _first(_str(c, "type", required=True), _str(c, "channel_id"), _str(c, "message_ts"),
                         _str(c, "view_id"))
        if problem:
            return f"container.{problem}"
    m = p.get("message")
    if isinstance(m, dict):
        problem = _first(_str(m, "ts"), _str(m, "text"), _str(m, "thread_ts"), _str(m, "user"))
        if problem:
            return f"message.{problem}"
    return ""


def _element(el: Any) -> str:
    if not isinstance(el, dict):
        return "a form element is not an object"
    problem = _first(_str(el, "type"), _str(el, "value"), _str(el, "selected_user"), _str(el, "selected_date"),
                     _dict(el, "selected_option"))
    if problem:
        return problem
    opt = el.get("selected_option")
    if isinstance(opt, dict):
        return _str(opt, "value", required=True)
    for key in ("selected_options", "selected_users"):
        if key in el and not isinstance(el[key], list):
            return f"{key} is not a list"
    return ""


def _view(v: Any, *, submitted: bool) -> str:
    if not isinstance(v, dict):
        return f"view is {type(v).__name__}, not an object"
    problem = _first(_str(v, "id", required=submitted), _str(v, "callback_id", required=submitted),
                     _str(v, "private_metadata"), _str(v, "hash"), _str(v, "type"), _dict(v, "state"))
    if problem:
        return f"view.{problem}"
    state = v.get("state")
    if isinstance(state, dict):
        values = state.get("values")
        if not isinstance(values, dict):
            return "view.state.values is not an object"
        for block in values.values():
            if not isinstance(block, dict):
                return "view.state.values holds a block that is not an object"
            for el in block.values():
                problem = _element(el)
                if problem:
                    return f"view.state: {problem}"
    return ""


def _actions(p: dict[str, Any]) -> str:
    actions = p.get("actions")
    if not isinstance(actions, list) or not actions:
        return "actions is not a list of actions"
    for a in actions:
        if not isinstance(a, dict):
            return "an action is not an object"
        problem = _first(_str(a, "action_id", required=True, nonempty=True), _str(a, "block_id"), _str(a, "type"),
                         _str(a, "value"), _str(a, "action_ts"), _dict(a, "selected_option"),
                         _str(a, "selected_user"))
        if problem:
            return f"actions: {problem}"
        opt = a.get("selected_option")
        if isinstance(opt, dict) and _str(opt, "value", required=True):
            return "actions: selected_option.value is not a string"
    return ""


def _interactive(p: dict[str, Any]) -> tuple[int, str]:
    kind = p.get("type")
    if not isinstance(kind, str):
        return 400, "type is missing or not a string"
    if kind not in INTERACTIVE:
        return 404, f"interactions of type {kind[:40]!r} are not handled"
    problem = _first(_user(p), _where(p))
    if not problem:
        if kind == "block_actions":
            problem = _actions(p) or ("" if p.get("view") is None else _view(p["view"], submitted=False))
        elif kind in ("view_submission", "view_closed"):
            problem = _view(p.get("view"), submitted=True)
        elif kind in ("shortcut", "message_action"):
            problem = _str(p, "callback_id", required=True, nonempty=True)
            if not problem and kind == "message_action":
                problem = _first(_dict(p, "channel", required=True), _dict(p, "message", required=True))
        else:  # block_suggestion
            problem = _first(_str(p, "action_id", required=True), _str(p, "value"))
    return (400, problem) if problem else (0, "")


def _command(fields: dict[str, Any]) -> tuple[int, str]:
    if fields.get("ssl_check") == "1":
        return 0, ""
    for key in ("command", "user_id", "channel_id", "team_id"):
        v = fields.get(key)
        if not isinstance(v, str) or not v:
            return 400, f"{key} is missing"
    if not fields["command"].startswith("/"):
        return 400, "command does not start with /"
    for key, v in fields.items():
        if not isinstance(v, str):
            return 400, f"{key} is not a string"
    return 0, ""


def _event(body: dict[str, Any]) -> tuple[int, str]:
    kind = body.get("type")
    if not isinstance(kind, str):
        return 400, "type is missing or not a string"
    if kind not in EVENT_TYPES:
        return 404, f"events of type {kind[:40]!r} are not handled"
    if kind == "url_verification":
        return (400, "challenge is not a string") if _str(body, "challenge", required=True) else (0, "")
    problem = _first(_dict(body, "event", required=True), _str(body, "event_id", required=True, nonempty=True),
                     _str(body, "team_id"), _str(body, "api_app_id"))
    if "authorizations" in body and not isinstance(body["authorizations"], list):
        problem = problem or "authorizations is not a list"
    if problem:
        return 400, problem
    e = body["event"]
    if isinstance(e.get("type"), str) and e["type"] not in _handled_events():
        return 404, f"events of type {e['type'][:40]!r} are not subscribed to"
    problem = _first(_str(e, "type", required=True, nonempty=True), _str(e, "user"), _str(e, "text"), _str(e, "ts"),
                     _str(e, "thread_ts"), _str(e, "subtype"), _str(e, "bot_id"), _str(e, "tab"),
                     _str(e, "reaction"), _str(e, "team"), _dict(e, "item"), _dict(e, "message"))
    if not problem and e.get("channel") is not None and not isinstance(e["channel"], str | dict):
        problem = "channel is neither a string nor an object"
    if not problem and isinstance(e.get("item"), dict):
        problem = _first(_str(e["item"], "channel"), _str(e["item"], "ts"), _str(e["item"], "type"))
    return (400, f"event.{problem}") if problem else (0, "")


def _handled_events() -> frozenset[str]:

    return frozenset(str(e) for e in EventType)


def payload_problem(kind: str, body: dict[str, Any]) -> tuple[int, str]:
    """(status, reason) when ``body`` is not the shape Slack sends for ``kind``
    (``command``, ``interactive``, ``event``); (0, '') when it is."""
    if kind == "interactive":
        return _interactive(body)
    if kind == "command":
        return _command(body)
    return _event(body)


_ENVELOPES = {"events_api": "event", "interactive": "interactive", "slash_commands": "command"}


def envelope_problem(envelope_type: str, payload: Any) -> str:
    """Socket Mode: why an envelope's payload is not what Slack sends ('' when it is)."""
    kind = _ENVELOPES.get(envelope_type)
    if kind is None:
        return ""  # hello, disconnect: the SDK's own business
    if not isinstance(payload, dict):
        return f"the {envelope_type} payload is {type(payload).__name__}, not an object"
    if not _depth_ok(payload):
        return "the payload is nested too deeply"
    return payload_problem(kind, payload)[1]


# -- HTTP --------------------------------------------------------------------------------
def check_http(secret: str, headers: Mapping[str, str | None], raw: bytes, now: float | None = None) -> Verdict:
    """The guard's decision on one HTTP request whose body is ``raw`` (at most MAX_BODY + 1 bytes)."""
    if len(raw) > MAX_BODY:
        return Verdict(413, f"the body is over {MAX_BODY} bytes")
    why = verify(secret, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature"), raw, now)
    if why:
        return Verdict(401, why)
    try:
        kind, body = parse(headers.get("content-type") or "", raw)
    except _Malformed as e:
        return Verdict(400, str(e))
    status, why = payload_problem(kind, body)
    if status:
        return Verdict(status, why)
    return Verdict(0, "", body)


_STATUS = {400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found", 413: "413 Payload Too Large"}


def wsgi_guard(secret: str, bolt: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """A WSGI application that checks each request (:func:`check_http`) and hands only
    verified, well-formed ones to ``bolt`` (Bolt's WSGI handler)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length > MAX_BODY:
            verdict, raw = Verdict(413, f"the body is {length} bytes, over {MAX_BODY}"), b""
        else:
            stream = environ.get("wsgi.input")
            raw = stream.read(MAX_BODY + 1 if length < 0 else length) if stream is not None else b""
            headers = {"x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                       "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE"),
                       "content-type": environ.get("CONTENT_TYPE") or ""}
            verdict = check_http(secret, headers, raw)
        if verdict.status:
            peer = environ.get("REMOTE_ADDR", "?")
            if verdict.status in (401, 413):
                log.warning("refused a request from %s (%d): %s; body %s", peer, verdict.status, verdict.reason,
                            excerpt(raw))
            else:
                log.warning("refused a signed request from %s (%d): %s", peer, verdict.status, verdict.reason)
            data = json.dumps({"ok": False, "error": _STATUS[verdict.status][4:].lower()}).encode()
            start_response(_STATUS[verdict.status], [("Content-Type", "application/json"),
                                                     ("Content-Length", str(len(data)))])
            return [data]
        environ["wsgi.input"] = BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        return bolt(environ, start_response)

    return application
