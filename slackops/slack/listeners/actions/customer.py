"""Customers' buttons: escalate (with a reason), appeal a reclassification, add information,
confirm that the request is resolved."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from slackops.notices.i18n import t
from slackops.slack.blocks import modals
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.ids import BlockId, CallbackId
from slackops.slack.listeners.common import (
    Actor,
    action_value,
    actor_of,
    request_or_tell,
    require_customer_of,
)
from slackops.slack.metadata import ViewMeta


def _customer_and_request(body: dict[str, Any], desk: Desk) -> tuple[Actor | None, Any]:
    req = request_or_tell(desk, action_value(body).r, actor_of(desk, body))
    if req is None:
        return None, None
    return require_customer_of(desk, body, req), req


def _text_modal(body: dict[str, Any], desk: Desk, callback: CallbackId, block_id: BlockId, *,
                title: str, label: str, intro: str | None = None) -> None:
    """The customer's one-field forms: escalate, appeal, add information."""
    actor, req = _customer_and_request(body, desk)
    if not actor:
        return
    lang = req.language or "en"
    meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
    desk.open_view(body["trigger_id"], user=actor.user_id, channel=actor.channel, request_id=req.id, view=modals.text_modal(
        callback, t(lang, title), meta, lang=lang, block_id=block_id,
        label=t(lang, label, id=req.id), intro=t(lang, intro) if intro else None))


def escalate(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    """IXCloud: escalation engages the escalation manager and may go to the next level; it
    "should not be used if you wish to change the reported business impact"."""
    ack()
    _text_modal(body, desk, CallbackId.CUSTOMER_ESCALATE, BlockId.REASON, title="escalate.title",
                label="escalate.customer_label", intro="escalate.customer_intro")


def appeal(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    """Interopion: "Customer may appeal any such reclassification to Interopion's Support management"."""
    ack()
    _text_modal(body, desk, CallbackId.APPEAL, BlockId.REASON, title="appeal.title", label="appeal.label", intro="appeal.intro")


def add_info(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _text_modal(body, desk, CallbackId.ADD_INFO, BlockId.TEXT, title="add_info.title", label="add_info.label")


def confirm_resolved(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    ack()
    actor, req = _customer_and_request(body, desk)
    if actor:
        change(desk, req.id, "closed", actor.user_id, {})
