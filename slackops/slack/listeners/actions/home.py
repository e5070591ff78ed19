"""App Home's refresh button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from slackops.slack.blocks.history import MORE
from slackops.slack.desk import Desk
from slackops.slack.listeners.common import actor_of
from slackops.slack.listeners.events.app_home import publish_home
from slackops.slack.listeners.views.settings import open_settings


def refresh(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    ack()
    user = body.get("user") or {}
    desk.later(publish_home, desk, user.get("id"), body, urgent=True)


def account_settings(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """The Home tab's "Account settings": the same form as ``/support settings``."""

    ack()
    actor = actor_of(desk, body)
    accounts = [a for a in desk.directory.accounts_of(actor.user_id) if desk.policy(a.policy).intake.customer_calendars]
    if not accounts:
        return
    answer = open_settings(desk, accounts[0], actor, body["trigger_id"], accounts[0].language)
    if answer:
        desk.tell(actor.user_id, answer)


def show_closed(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """The Home tab's "Show more" under the recently closed requests."""

    ack()
    user = body.get("user") or {}
    desk.later(publish_home, desk, user.get("id"), body, closed_limit=MORE, urgent=True)
