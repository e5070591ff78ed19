"""Agents' one-press changes: take, acknowledge, mark as feature request."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from slackops.slack.blocks import modals
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.listeners.common import action_value, request_or_tell, require_agent
from slackops.slack.metadata import ViewMeta


def _asks_priority(policy: Any, req: Any) -> bool:
    """IXCloud: "At the time [the vendor] accepts a service request, [it] will record an
    initial severity level": the first acceptance, however it is done, asks for it."""
    return bool(getattr(policy.intake, "priority_at_acceptance", False)) and req.acknowledged_at is None


def take(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """Take it: assign to oneself; the first Take accepts the request."""
    ack()
    actor = require_agent(desk, body)
    req = actor and request_or_tell(desk, action_value(body).r, actor)
    if not req:
        return
    policy = desk.policy_of(req)
    if _asks_priority(policy, req) and not req.assignee:
        meta = ViewMeta(r=req.id, channel=actor.channel or req.channel, assignee=actor.user_id)
        desk.open_view(body["trigger_id"], modals.accept_modal(policy, req, meta, lang="en"), user=actor.user_id,
                       channel=actor.channel, request_id=req.id)
        return
    change(desk, req.id, "assigned", actor.user_id, {"assignee": actor.user_id})


def acknowledge(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """Accept the request. Where the policy records the initial priority at acceptance
    (IXCloud), a form asks for it first (listeners/views/agent.accept)."""
    ack()
    actor = require_agent(desk, body)
    req = actor and request_or_tell(desk, action_value(body).r, actor)
    if not req:
        return
    policy = desk.policy_of(req)
    if _asks_priority(policy, req) and str(req.status) == "submitted":
        meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
        desk.open_view(body["trigger_id"], modals.accept_modal(policy, req, meta, lang="en"), user=actor.user_id,
                       channel=actor.channel, request_id=req.id)
        return
    change(desk, req.id, "acknowledged", actor.user_id, {})


def feature_request(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """Interopion: "will log such Request for consideration ... and will consider the matter closed"."""
    ack()
    actor = require_agent(desk, body)
    req = actor and request_or_tell(desk, action_value(body).r, actor)
    if not req:
        return
    # the store closes it too where the policy says feature requests close
    change(desk, req.id, "resolved", actor.user_id, {"resolution": "feature_request", "note": ""})
