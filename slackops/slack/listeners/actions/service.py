"""The card's "Service affected" select (agents): the request's service impact, an event
in its history (status pages and uptime read it)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from slackops.errors import DomainError
from slackops.notices.text import escape
from slackops.slack.blocks.service import parse_choice
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.listeners.common import require_agent

__all__ = ["service_affected"]


def service_affected(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """The card's select: record the request's service impact (an event in its history)."""
    ack()
    actor = require_agent(desk, body)
    if actor is None:
        return
    rid, impact = parse_choice(body)
    if not rid or impact not in ("none", "degraded", "unavailable"):
        desk.tell(actor.user_id, "That choice could not be read; try again from the card.", channel=actor.channel)
        return
    action_ts = (body.get("actions") or [{}])[0].get("action_ts") or ""
    try:
        change(desk, rid, "service_affected", actor.user_id, {"impact": impact}, key=f"svc:{rid}:{action_ts}")
    except DomainError as e:
        desk.tell(actor.user_id, escape(str(e)), channel=actor.channel)
