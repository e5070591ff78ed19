"""The Bolt app, built by a factory: settings, configuration, store and Web API client are
injected; there is no module-level app."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from slackops.config import Config, Settings
from slackops.errors import SlackopsError
from slackops.slack import listeners
from slackops.slack.auth import Directory, payload_identity
from slackops.slack.desk import Desk, _utcnow
from slackops.slack.i18n import t
from slackops.slack.listeners.common import channel_of
from slackops.slack.metadata import ActionValue, ViewMeta
from slackops.slack.web import make_client

if TYPE_CHECKING:
    from slackops.requests import RequestStore

__all__ = ["create_app"]

log = logging.getLogger("slackops.slack")

LISTENER_THREADS = 64
"""Bolt runs each listener in this pool and answers Slack once it acks; work after the ack
(Web API calls) keeps a thread busy, so the pool must be larger than Bolt's default of 10
or a burst of slow follow-ups would delay the next acks."""


def create_app(settings: Settings, config: Config, store: RequestStore, client: WebClient | None = None, *,
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
    desk = Desk(settings=settings, config=config, store=store, client=client, directory=directory, clock=clock or _utcnow)
    app = App(
        client=client,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slackops-listener"),
        signing_secret=settings.signing_secret or "",
        token_verification_enabled=False,  # no Web API call at start-up; Bolt asks auth.test on first use
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    def inject_desk(context: BoltContext, next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's name
        context["desk"] = desk
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> None:
        handle_error(desk, error, body, response)

    listeners.register(app)
    # Events written from now on are published by the workers: their consumer group must
    # exist before the first one is (it reads from "$").
    ensure = getattr(store, "ensure_groups", None)
    if ensure is not None:
        from slackops.requests.keys import PUBLISH_GROUP

        ensure(PUBLISH_GROUP)
    app._slackops_desk = desk  # type: ignore[attr-defined]  # for the HTTP server's /healthz
    return app


def request_id_of(body: dict[str, Any]) -> str | None:
    """The support request an interaction was about, when it says."""
    for action in body.get("actions") or []:
        value = ActionValue.parse(action.get("value"))
        if value.r:
            return value.r
    view = body.get("view") or {}
    if view.get("private_metadata"):
        return ViewMeta.parse(view["private_metadata"]).r
    return None


def handle_error(desk: Desk, error: Exception, body: dict[str, Any], response: BoltResponse | None) -> None:
    """Log with the request's id and a reference; answer the person politely."""
    ref = uuid.uuid4().hex[:8]
    rid = request_id_of(body) or "-"
    user_id, _team, _ent = payload_identity(body)
    kind = body.get("type") or body.get("command") or "?"
    if isinstance(error, SlackopsError):
        log.info("request %s: %s refused (%s): %s", rid, kind, ref, error)
        text = str(error)
    else:
        log.error("request %s: unexpected error in %s (ref %s)", rid, kind, ref, exc_info=error)
        text = t("en", "error.unexpected", ref=ref)
    if response is not None and response.status >= 500:
        # the person was not answered yet: answer 200 (an ephemeral for commands) rather than an error page
        response.status = 200
        response.headers["content-type"] = ["text/plain;charset=utf-8"]
        response.body = text if body.get("command") else ""
        if body.get("command"):
            return
    if user_id and body.get("type") != "event_callback":
        desk.tell(user_id, text, channel=channel_of(body))
