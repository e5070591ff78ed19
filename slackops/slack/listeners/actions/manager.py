"""Buttons in managers' escalation DMs (the app's and the workers' notices): acknowledge
the escalation, reassign, open the thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackops.notices.i18n import t
from slackops.slack.blocks.messages import acknowledged_dm_blocks
from slackops.slack.blocks.modals import assign_modal
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.listeners.common import action_value, request_or_tell, require_staff
from slackops.slack.metadata import ViewMeta


def acknowledge_escalation(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    actor = require_staff(desk, body)
    value = action_value(body)
    req = actor and request_or_tell(desk, value.r, actor)
    if not req:
        return
    level = value.l or req.escalation_level or 1
    change(desk, req.id, "escalation_acknowledged", actor.user_id, {"level": level})
    msg = body.get("message") or {}
    channel = (body.get("container") or {}).get("channel_id") or actor.channel
    note = t("en", "dm.acknowledged_by", who=f"<@{actor.user_id}>", level=level)
    if msg.get("ts") and channel:
        desk.later(_replace_buttons, client, channel, msg, note)
    # every other DM of the level is updated by the publisher (the escalation_acknowledged event)
    desk.later(_observe, desk, req.id, level)


def _observe(desk: Desk, request_id: str, level: int) -> None:
    """slackops_escalation_ack_seconds: from the level's first DM to this acknowledgement."""
    from slackops.operations.probes import observe_escalation_ack

    req = desk.store.get(request_id)
    history = desk.store.history(request_id)
    reached = next((e.at for e in history if e.type == "escalated" and int(e.data.get("level") or 0) == level), None)
    acked = next((e.at for e in reversed(history) if e.type == "escalation_acknowledged"), None)
    if reached is not None and acked is not None:
        observe_escalation_ack(req.account, req.priority, level, (acked - reached).total_seconds())


def _replace_buttons(client: WebClient, channel: str, msg: dict[str, Any], note: str) -> None:
    try:
        client.chat_update(channel=channel, ts=msg["ts"], text=note, blocks=acknowledged_dm_blocks(msg.get("blocks") or [], note))
    except SlackApiError:
        pass


def reassign(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    actor = require_staff(desk, body)
    req = actor and request_or_tell(desk, action_value(body).r, actor)
    if not req:
        return
    meta = ViewMeta(r=req.id, channel=actor.channel, force=True)
    desk.open_view(body["trigger_id"], assign_modal(req, meta), user=actor.user_id, channel=actor.channel, request_id=req.id)


def open_thread(ack: Ack) -> None:
    """A link button: Slack opens the URL and still tells us; nothing to do."""
    ack()
