"""App Home's refresh button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from slackops.slack.desk import Desk
from slackops.slack.listeners.events.app_home import publish_home


def refresh(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    ack()
    user = body.get("user") or {}
    desk.later(publish_home, desk, user.get("id"), user.get("team_id"), urgent=True)
