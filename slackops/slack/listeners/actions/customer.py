"""Customers' buttons: escalate (with a reason), appeal a reclassification, add information,
confirm that the request is resolved."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from slackops.slack.blocks import modals
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.i18n import t
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


def escalate(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    """IXCloud: escalation engages the escalation manager and may go to the next level; it
    "should not be used if you wish to change the reported business impact"."""
    ack()
    actor, req = _customer_and_request(body, desk)
    if not actor:
        return
    lang = req.language or "en"
    meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
    desk.open_view(body["trigger_id"], user=actor.user_id, channel=actor.channel, request_id=req.id, view=modals.text_modal(
        CallbackId.CUSTOMER_ESCALATE, t(lang, "escalate.title"), meta, lang=lang, block_id=BlockId.REASON,
        label=t(lang, "escalate.customer_label", id=req.id), intro=t(lang, "escalate.customer_intro")))


def appeal(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    """Interopion: "Customer may appeal any such reclassification to Interopion's Support management"."""
    ack()
    actor, req = _customer_and_request(body, desk)
    if not actor:
        return
    lang = req.language or "en"
    meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
    desk.open_view(body["trigger_id"], user=actor.user_id, channel=actor.channel, request_id=req.id, view=modals.text_modal(
        CallbackId.APPEAL, t(lang, "appeal.title"), meta, lang=lang, block_id=BlockId.REASON,
        label=t(lang, "appeal.label", id=req.id), intro=t(lang, "appeal.intro")))


def add_info(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    actor, req = _customer_and_request(body, desk)
    if not actor:
        return
    lang = req.language or "en"
    meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
    desk.open_view(body["trigger_id"], user=actor.user_id, channel=actor.channel, request_id=req.id, view=modals.text_modal(
        CallbackId.ADD_INFO, t(lang, "add_info.title"), meta, lang=lang, block_id=BlockId.TEXT,
        label=t(lang, "add_info.label", id=req.id)))


def confirm_resolved(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    ack()
    actor, req = _customer_and_request(body, desk)
    if actor:
        change(desk, req.id, "closed", actor.user_id, {})
