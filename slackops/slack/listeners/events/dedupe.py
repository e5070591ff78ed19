"""Redelivered events: de-duplicate on event_id for a day (Slack retries for ~5 minutes)."""

from __future__ import annotations

from typing import Any

from slackops.slack.desk import Desk

EVENT_TTL_SECONDS = 86400


def first_delivery(desk: Desk, body: dict[str, Any]) -> bool:
    event_id = body.get("event_id")
    if not event_id:  # Socket Mode replays carry it too; without one, nothing to key on
        return True
    return desk.once(f"event:{event_id}", ttl_seconds=EVENT_TTL_SECONDS)
