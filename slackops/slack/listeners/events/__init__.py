"""Events API: event type -> callback. Every callback first asks ``first_delivery`` so
that a redelivered event (same event_id, X-Slack-Retry-Num) changes nothing twice."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from slackops.slack.ids import EventType
from slackops.slack.listeners.events import app_home, member_joined, message, reaction
from slackops.slack.listeners.routing import pattern, router

EVENTS: dict[EventType, Callable[..., None]] = {
    EventType.MESSAGE: message.message,
    EventType.REACTION_ADDED: reaction.reaction_added,
    EventType.APP_HOME_OPENED: app_home.app_home_opened,
    EventType.MEMBER_JOINED_CHANNEL: member_joined.member_joined_channel,
}


def register(app: App) -> None:
    """One listener for every event type (listeners.routing): each listener Bolt tries costs
    every other request a matcher call."""
    app.event(pattern(EVENTS))(router(EVENTS, lambda body: (body.get("event") or {}).get("type")))
