"""The sandbox's page: what each person would see in Slack, and their hands.

A WSGI application (served by waitress, as the app is): ``GET /`` the page, ``GET
/static/...`` its script and style (vanilla JavaScript, no build step), ``GET /api/state``
what the chosen person sees (``since=N`` waits until something changed: live updates by
long polling), and ``POST /api/act`` what they do. Every act is played to the app as Slack
would send it (:class:`slackops.sandbox.driver.SlackDriver`, signed): a slash command, a
message or a :ticket: reaction (then its event), the message shortcut, a button or a
menu (block actions), a modal's submission, opening the Home tab. The app's answers land
where Slack shows them: an ack's text as an ephemeral, a form's errors under its fields,
``response_action`` updating, pushing or closing modals.
"""

from __future__ import annotations

import itertools
import json
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from slackops.sandbox.driver import Response, SlackDriver
from slackops.sandbox.payloads import message_event, reaction_event
from slackops.sandbox.slack import FakeSlack
from slackops.sandbox.world import Person, World
from slackops.slack.ids import Command, EventType, ShortcutId

__all__ = ["Page", "LONG_POLL_SECONDS"]

log = logging.getLogger("slackops.sandbox")

LONG_POLL_SECONDS = 20.0
"""How long ``GET /api/state?since=N`` waits for a change before answering anyway."""

MAX_BODY = 1_000_000
_STATIC = {"app.js": "text/javascript", "blockkit.js": "text/javascript", "style.css": "text/css",
           "index.html": "text/html"}


class ActError(Exception):
    """What a person tried makes no sense here (an unknown message, a closed modal)."""


class Page:
    """The page's WSGI application over a stand-in for Slack and a driver to the app."""

    def __init__(self, fake: FakeSlack, driver: SlackDriver, world: World, *, event_delay: float = 0.0) -> None:
        self.fake = fake
        self.driver = driver
        self.world = world
        self.event_delay = event_delay
        self._triggers = itertools.count(1)
        fake.on_response = self.responded

    # -- WSGI ------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if method in ("GET", "HEAD") and path in ("/", "/index.html"):
                return self._file(start_response, "index.html")
            if method in ("GET", "HEAD") and path.startswith("/static/"):
                return self._file(start_response, path[len("/static/"):])
            if method == "GET" and path == "/api/people":
                return _json(start_response, "200 OK", {"people": [p.as_json() for p in self.world.people.values()]})
            if method == "GET" and path == "/api/state":
                person = self._person(query.get("as"))
                since = query.get("since")
                if since is not None and since.lstrip("-").isdigit():
                    self.fake.wait_change(int(since), timeout=float(query.get("wait") or LONG_POLL_SECONDS))
                return _json(start_response, "200 OK", self.world.state(self.fake, person))
            if method == "POST" and path == "/api/act":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                if length > MAX_BODY:
                    return _json(start_response, "413 Payload Too Large", {"ok": False, "error": "too large"})
                try:
                    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
                except ValueError:
                    return _json(start_response, "400 Bad Request", {"ok": False, "error": "not JSON"})
                if not isinstance(body, dict):
                    return _json(start_response, "400 Bad Request", {"ok": False, "error": "not an object"})
                person = self._person(body.get("as"))
                return _json(start_response, "200 OK", {"ok": True, **self.act(person, body)})
        except ActError as e:
            return _json(start_response, "400 Bad Request", {"ok": False, "error": str(e)})
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not found"})

    def _person(self, uid: Any) -> Person:
        person = self.world.people.get(str(uid or ""))
        if person is None:
            raise ActError(f"{uid!r} is nobody in this sandbox")
        return person

    def _file(self, start_response: Callable[..., Any], name: str) -> Iterable[bytes]:
        if name not in _STATIC:
            return _json(start_response, "404 Not Found", {"ok": False, "error": "not found"})
        data = resources.files("slackops.sandbox").joinpath("static", name).read_bytes()
        ctype = _STATIC.get(name) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        start_response("200 OK", [("Content-Type", f"{ctype}; charset=utf-8"), ("Content-Length", str(len(data))),
                                  ("Cache-Control", "no-cache")])
        return [data]

    # -- acts ------------------------------------------------------------------------
    def act(self, person: Person, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("kind")
        handler = getattr(self, f"_act_{kind}", None) if isinstance(kind, str) and kind.isidentifier() else None
        if handler is None:
            raise ActError(f"unknown act {kind!r}")
        return handler(person, body) or {}

    def _trigger(self, person: Person) -> str:
        tid = f"{next(self._triggers)}.{int(time.time())}.sandbox"
        self.fake.triggers[tid] = person.id
        return tid

    def _response_url(self, person: Person, channel: str | None) -> str:
        return self.fake.response_url(f"{person.id}/{channel or '-'}")

    def responded(self, name: str, body: dict[str, Any]) -> None:
        """What the app posted to a response_url of ours: an ephemeral for that person."""
        user, _, channel = name.partition("/")
        if user in self.world.people and channel and channel != "-" and (body.get("text") or body.get("blocks")):
            self.fake.ephemeral(channel, user, str(body.get("text") or ""), body.get("blocks"))

    def _answered(self, r: Response, person: Person, channel: str | None, *, shown: bool = False) -> dict[str, Any]:
        """A slash command's ack body (``shown``): Slack shows its text (or blocks) to that
        person only. Slack ignores what an interaction's ack says; a failed ack, Slack tells
        the person about."""
        if r.status != 200:
            log.warning("the app answered %s: %s", r.status, r.text[:200])
            if channel:
                self.fake.ephemeral(channel, person.id, f"The app did not answer (HTTP {r.status}).")
            return {"status": r.status}
        if not shown or not r.body or not channel:
            return {}
        text, blocks = r.text, None
        if r.body.lstrip().startswith(b"{"):
            data = r.json() or {}
            text, blocks = str(data.get("text") or ""), data.get("blocks")
        if text.strip() or blocks:
            self.fake.ephemeral(channel, person.id, text, blocks)
        return {}

    def _message(self, channel: str, ts: str) -> dict[str, Any]:
        msg = self.fake.message(channel, ts)
        if msg is None:
            raise ActError(f"no message {ts} in {channel}")
        msg.pop("metadata", None)  # Slack sends interactive payloads without it
        return msg

    def _act_command(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        channel = str(b.get("channel") or "")
        text = str(b.get("text") or "").strip()
        command, _, rest = text.partition(" ")
        if command != str(Command.SUPPORT):
            self.fake.ephemeral(channel, person.id, f"{command or '/'} is not a valid command. In the sandbox the app "
                                                    f"answers {Command.SUPPORT}.")
            return {}
        r = self.driver.command(command, rest.strip(), user_id=person.id, channel_id=channel,
                                user_team_id=person.team, trigger_id=self._trigger(person),
                                response_url=self._response_url(person, channel))
        return self._answered(r, person, channel, shown=True)

    def _act_message(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        channel, text = str(b.get("channel") or ""), str(b.get("text") or "")
        if not channel or not text.strip():
            raise ActError("a message needs a channel and some text")
        if not self.world.sees(self.fake, person, channel):
            raise ActError(f"{person.name} is not in {channel}")
        if text.lstrip().startswith("/") and not b.get("thread_ts"):
            return self._act_command(person, {"channel": channel, "text": text})
        thread_ts = str(b["thread_ts"]) if b.get("thread_ts") else None
        msg = self.fake.post_as(person.id, channel, text, thread_ts)
        if self.world.dm_owner(self.fake, channel) is None:  # the app subscribes to channel messages only
            self._event(message_event(self.fake.who(person.id, person.team), channel, text, msg["ts"],
                                      shared=self.fake.is_shared(channel), thread_ts=thread_ts))
        return {"ts": msg["ts"]}

    def _act_react(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        channel, ts, name = str(b.get("channel") or ""), str(b.get("ts") or ""), str(b.get("name") or "ticket")
        msg = self._message(channel, ts)
        if self.fake.react_as(person.id, channel, ts, name):
            self._event(reaction_event(person.id, channel, ts, name, msg.get("user")))
        return {}

    def _act_shortcut(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(b.get("channel") or ""), str(b.get("ts") or "")
        msg = self._message(channel, ts)
        r = self.driver.message_shortcut(str(b.get("callback_id") or ShortcutId.OPEN_FROM_MESSAGE), user_id=person.id,
                                         channel_id=channel, message=msg, user_team_id=person.team,
                                         trigger_id=self._trigger(person),
                                         response_url=self._response_url(person, channel))
        return self._answered(r, person, channel)

    def _act_home(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        dm = "D" + person.id.lstrip("UW")
        self._event({"type": EventType.APP_HOME_OPENED.value, "user": person.id, "channel": dm, "tab": "home",
                     "event_ts": f"{time.time():.6f}", "view": self.fake.home_views.get(person.id)})
        return {}

    def _act_action(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        a = b.get("action") or {}
        if not isinstance(a, dict) or not a.get("action_id"):
            raise ActError("an action needs an action_id")
        extra = {k: a[k] for k in ("selected_options", "selected_user", "selected_users", "selected_date",
                                   "selected_time", "selected_conversation", "selected_channel") if k in a}
        if a.get("text"):
            extra["text"] = a["text"]
        kw: dict[str, Any] = {"user_id": person.id, "user_team_id": person.team, "block_id": str(a.get("block_id") or ""),
                              "action_type": str(a.get("type") or "button"), "selected_option": a.get("selected_option"),
                              "extra": extra, "trigger_id": self._trigger(person)}
        value = str(a.get("value") or "")
        where = b.get("where") or {}
        channel = str(where.get("channel") or "") or None
        if where.get("view_id"):
            view = self.fake.views.get(str(where["view_id"]))
            if view is None:
                raise ActError("that view is gone")
            view = {**view, "state": {"values": b.get("values") or {}}}
            r = self.driver.block_action(str(a["action_id"]), value, view=view, **kw)
            return self._answered(r, person, None)
        if where.get("ephemeral_ts"):
            eph = next((e for e in self.fake.ephemerals if e.get("message_ts") == where["ephemeral_ts"]), None)
            if eph is None:
                raise ActError("that message is gone")
            container = {"type": "message", "message_ts": eph["message_ts"], "channel_id": eph["channel"],
                         "is_ephemeral": True}
            r = self.driver.block_action(str(a["action_id"]), value, channel_id=eph["channel"], container=container,
                                         response_url=self._response_url(person, eph["channel"]), **kw)
            return self._answered(r, person, eph["channel"])
        if channel and where.get("ts"):
            msg = self._message(channel, str(where["ts"]))
            r = self.driver.block_action(str(a["action_id"]), value, channel_id=channel, message=msg,
                                         response_url=self._response_url(person, channel), **kw)
            return self._answered(r, person, channel)
        raise ActError("an action happens on a message or in a view")

    def _act_submit(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        vid = str(b.get("view_id") or "")
        view = self.fake.views.get(vid)
        if view is None or vid not in self.fake.modals.get(person.id, []):
            raise ActError("that modal is not open")
        values = b.get("values") or {}
        r = self.driver.view_submission(str(view.get("callback_id") or ""), values, user_id=person.id,
                                        user_team_id=person.team, private_metadata=str(view.get("private_metadata") or ""),
                                        view_id=vid, view=view, trigger_id=self._trigger(person))
        if r.status != 200:
            return {"errors": {"": f"The app did not answer (HTTP {r.status})."}}
        data = r.json() if r.body.lstrip().startswith(b"{") else {}
        action = (data or {}).get("response_action")
        if action == "errors":
            return {"errors": data.get("errors") or {}}
        if action == "update" and isinstance(data.get("view"), dict):
            self.fake.replace_view(vid, data["view"])
        elif action == "push" and isinstance(data.get("view"), dict):
            self.fake.push_view(person.id, data["view"])
        elif action == "clear":
            self.fake.clear_modals(person.id)
        else:
            self.fake.close_modal(person.id, vid)
        return {}

    def _act_close(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        self.fake.close_modal(person.id, str(b.get("view_id") or "") or None)
        return {}

    def _act_dismiss(self, person: Person, b: dict[str, Any]) -> dict[str, Any]:
        ts = str(b.get("ts") or "")
        with self.fake._lock:
            self.fake.ephemerals[:] = [e for e in self.fake.ephemerals
                                       if not (e.get("user") == person.id and e.get("message_ts") == ts)]
            self.fake._bump()
        return {}

    def _event(self, event: dict[str, Any]) -> None:
        r = self.driver.event(event)
        if r.status != 200:
            log.warning("the app answered the %s event with %s: %s", event.get("type"), r.status, r.text[:200])


def _json(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                            ("Cache-Control", "no-store")])
    return [data]
