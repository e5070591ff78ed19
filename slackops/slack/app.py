"""The Bolt app, built by a factory: settings, configuration, store and Web API client are
injected; there is no module-level app."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient

from slackops.config import Config, Settings
from slackops.errors import SlackopsError
from slackops.notices.i18n import t
from slackops.notices.web import make_client
from slackops.operations.address import from_headers, learn
from slackops.requests.keys import PUBLISH_GROUP
from slackops.requests.people import name_of_user, remember
from slackops.slack import listeners
from slackops.slack.auth import Directory
from slackops.slack.desk import Desk, _utcnow
from slackops.slack.identity import Vendor, who_acts
from slackops.slack.listeners.common import channel_of
from slackops.slack.metadata import ActionValue, ViewMeta

if TYPE_CHECKING:
    pass

__all__ = ["create_app"]

log = logging.getLogger("slackops.slack")

LISTENER_THREADS = 64
"""Bolt runs each listener in this pool and answers Slack once it acks; work after the ack
(Web API calls) keeps a thread busy, so the pool must be larger than Bolt's default of 10
or a burst of slow follow-ups would delay the next acks."""


class _OneLine(logging.Filter):
    """Bolt's "Unhandled request" warning, on one line and without the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if msg.startswith("Unhandled request"):
            record.msg, record.args = msg.split("\n", 1)[0][:200], None
        return True


class _SameToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and, given a client as well,
    warns on every start that it will not use that token. The client it is given was made
    with that very token (``make_client(settings)``): nothing is left unused, so that one
    warning is dropped when, and only when, the two tokens are the same."""

    def __init__(self, client_token: str | None) -> None:
        super().__init__()
        self.client_token = client_token

    def filter(self, record: logging.LogRecord) -> bool:
        from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

        if record.getMessage() != warning_client_prioritized_and_token_skipped():
            return True
        return os.environ.get("SLACK_BOT_TOKEN") != self.client_token


def _hear_of(desk: Desk, user_id: str | None, heard: set[str]) -> None:
    """Once per person and process, ask Slack who someone acting is (in the background):
    the directory keeps their name for the command line (slackops.requests.people)."""
    if not user_id or user_id in heard:
        return
    heard.add(user_id)
    desk.later(desk.directory.user, user_id)


def _learn_address(desk: Desk, headers: dict[str, Any], seen: dict[str, str]) -> None:
    """Without ``public_url``, status links use the address this signed request came to."""
    if desk.config.public_url:
        return

    base = from_headers(headers)
    if base:
        try:
            learn(desk.store.redis, desk.store.keys.prefix, base, seen)
        except Exception:  # noqa: BLE001 - a link learned later rather than a request refused
            log.debug("public address not recorded", exc_info=True)


def create_app(settings: Settings, config: Config, store: Any, client: WebClient | None = None, *,
               clock: Callable[[], datetime] | None = None, process_before_response: bool = True) -> App:
    """The slackops Bolt app. ``clock`` (default: UTC now) is how tests pin time.

    Requests whose signature does not verify are refused by Bolt (never turned off here);
    in Socket Mode there is no signature and Bolt skips the check.

    ``process_before_response``: every listener acks, records what must last in the store,
    hands its Slack calls to the desk's pools (Desk.later, Desk.open_view) and returns, so
    Bolt can answer as soon as the listener returns instead of polling for the ack every
    10 ms from another thread (its default). Nothing slow happens before the answer.
    """
    if client is None:
        client = make_client(settings)
    if client.token is None:
        client.token = settings.bot_token
    directory = Directory(client, config)
    if store is not None and getattr(store, "redis", None) is not None:

        prefix = store.keys.prefix
        directory.on_user = lambda uid, user: remember(store.redis, prefix, uid, name_of_user(user))
    desk = Desk(settings=settings, config=config, store=store, client=client, directory=directory, clock=clock or _utcnow)
    bolt_log = logging.getLogger("slack_bolt.App")
    same_token = _SameToken(client.token)
    bolt_log.addFilter(same_token)
    try:
        app = App(
            client=client,
            listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slackops-listener"),
            signing_secret=settings.signing_secret or "",
            token_verification_enabled=False,  # no Web API call at start-up; Bolt asks auth.test on first use
            process_before_response=process_before_response,
            raise_error_for_unhandled_request=False,
        )
    finally:
        bolt_log.removeFilter(same_token)

    # Bolt logs the whole body of a request whose signature fails at INFO: the guard in
    # front of it (slackops.slack.guard) refuses those first, with one line of its own.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    # and its warning about a request no listener handles quotes the body over many lines
    bolt_log = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _OneLine) for f in bolt_log.filters):
        bolt_log.addFilter(_OneLine())

    seen: dict[str, str] = {}
    heard: set[str] = set()

    @app.middleware
    def inject_desk(context: BoltContext, req: BoltRequest, next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's name
        # global middleware runs after Bolt's own (request verification first): from here on
        # the request is known to come from Slack
        context["desk"] = desk
        context["slackops_verified"] = True
        if "x-slack-signature" in req.headers:  # HTTP mode: the address Slack reaches us at
            _learn_address(desk, req.headers, seen)
        _hear_of(desk, context.user_id, heard)
        return next()

    @app.error
    def on_error(error: Exception, body: Any, response: BoltResponse | None, context: BoltContext) -> None:
        handle_error(desk, error, body, response, verified=bool(context.get("slackops_verified")))

    listeners.register(app)
    _warm_language_models(desk)
    # Events written from now on are published by the workers: their consumer group must
    # exist before the first one is (it reads from "$").
    ensure = getattr(store, "ensure_groups", None)
    if ensure is not None:
        ensure(PUBLISH_GROUP)
    app._slackops_desk = desk  # type: ignore[attr-defined]  # for the HTTP server's /healthz
    app._slackops_secret = settings.signing_secret or ""  # type: ignore[attr-defined]  # for the guard
    return app


def _warm_language_models(desk: Desk) -> None:
    """Policies that answer in the request's language detect it (slackops.slack.language):
    load the detector's models now, in the background, not on a customer's first form."""
    from slackops.slack.language import warm

    sets = []
    for account in desk.config.accounts:
        try:
            policy = desk.policy(account.policy)
        except Exception:  # noqa: BLE001 - a bad policy is reported where it is used
            continue
        if policy.intake.answer_in_request_language:
            sets.append(policy.languages)
    warm(sets)


def _get(d: Any, *keys: str) -> Any:
    """``d[k1][k2]...`` where each step is a dict, else None: the body may be any shape."""
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def request_id_of(body: Any) -> str | None:
    """The support request an interaction was about, when it says."""
    actions = _get(body, "actions")
    for action in actions if isinstance(actions, list) else []:
        raw = _get(action, "value")
        if isinstance(raw, str) and ActionValue.parse(raw).r:
            return ActionValue.parse(raw).r
    raw = _get(body, "view", "private_metadata")
    if isinstance(raw, str) and raw:
        return ViewMeta.parse(raw).r
    return None


def _first_block(body: Any) -> str | None:
    """The first input block of a submitted form: where an error shows on it."""
    values = _get(body, "view", "state", "values")
    if isinstance(values, dict):
        return next((k for k in values if isinstance(k, str)), None)
    return None


def handle_error(desk: Desk, error: Exception, body: Any, response: BoltResponse | None, *,
                 verified: bool = True) -> None:
    """Log with the request's id and a reference; answer the person politely.

    Only a request known to come from Slack (``verified``) gets an answer to anybody; a
    form submission is answered on the form itself (``response_action: errors``: the
    modal stays open with what was typed in it), never closed with a promise."""
    ref = uuid.uuid4().hex[:8]
    if not isinstance(body, dict):
        body = {}
    try:
        rid = request_id_of(body) or "-"
    except Exception:  # noqa: BLE001 - the log line must not fail
        rid = "-"
    kind = body.get("type") or body.get("command") or "?"
    kind = kind[:40] if isinstance(kind, str) else "?"
    if isinstance(error, SlackopsError):
        log.info("request %s: %s refused (%s): %s", rid, kind, ref, error)
        text = str(error)
    else:
        log.error("request %s: unexpected error in %s (ref %s)", rid, kind, ref, exc_info=error)
        text = t("en", "error.unexpected", ref=ref)
    if not verified:
        if response is not None:
            response.status, response.body = 401, ""
        return
    if kind == "view_submission" and response is not None:
        block = _first_block(body)
        if block:
            saved = text if isinstance(error, SlackopsError) else t("en", "error.not_saved", ref=ref)
            response.status = 200
            response.headers["content-type"] = ["application/json;charset=utf-8"]
            response.body = json.dumps({"response_action": "errors", "errors": {block: saved[:300]}})
            return
    if response is not None and response.status >= 500:
        # the person was not answered yet: answer 200 (an ephemeral for commands) rather than an error page
        response.status = 200
        response.headers["content-type"] = ["text/plain;charset=utf-8"]
        response.body = text if body.get("command") else ""
        if body.get("command"):
            return
    # who to tell (no Web API call here: who the person is does not matter, only their id)
    vendor = getattr(getattr(desk, "directory", None), "vendor", None) or Vendor.of("")
    try:
        user_id = who_acts(body, vendor).user_id
    except Exception:  # noqa: BLE001 - a body of odd types: the error is logged above; nobody to tell
        user_id = None
    if isinstance(user_id, str) and user_id and body.get("type") != "event_callback":
        channel = channel_of(body)
        desk.tell(user_id, text, channel=channel if isinstance(channel, str) else None)
