"""Customers' forms: escalate, appeal a reclassification, add information."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from slackops.notices.i18n import t
from slackops.slack.customer_escalation import customer_escalation
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId
from slackops.slack.listeners.common import Actor
from slackops.slack.listeners.views.submit import submit_change
from slackops.slack.phi import phi_reason

if TYPE_CHECKING:
    from slackops.requests import Request


def _customer_of(desk: Desk):
    def allowed(actor: Actor, req: Request) -> bool:
        account = desk.account(req.account)
        return actor.user_id == req.submitted_by or bool(account and desk.directory.is_contact(account, actor.user_id))

    return allowed


def _text(block: str, desk: Desk, key: str):
    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        lang = req.language or "en"
        text = v.get(block)
        if not text:
            return {"_error": {block: t(lang, "form.required")}}
        if desk.policy_of(req).intake.phi_guard:
            reason = phi_reason(text, lang)
            if reason:
                return {"_error": {block: reason}}
        return {key: text}

    return data


def escalate(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    base = _text(BlockId.REASON, desk, "reason")

    def data(v: dict[str, str | None], req: Any) -> dict[str, Any]:
        # IXCloud: the customer "may request that it be escalated to the next level"; a
        # policy whose customer escalation has next_level: false allows one escalation only
        policy = desk.policy_of(req)
        custom = policy.intake.customer_escalation
        if custom is not None and not custom.next_level and req.customer_escalated_at is not None:
            return {"_error": {BlockId.REASON: t(req.language or "en", "escalate.no_next_level", id=req.id)}}
        out = base(v, req)
        if "_error" not in out:
            level, notified = customer_escalation(desk.config, policy, req, desk.store.history(req.id),
                                                  desk.now())
            out.update({"level": level, "by": "customer", "notified": notified})
        return out

    submit_change(ack, body, desk, type_="escalated", error_block=BlockId.REASON, data=data, allowed=_customer_of(desk))


def appeal(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    submit_change(ack, body, desk, type_="appealed", error_block=BlockId.REASON, data=_text(BlockId.REASON, desk, "reason"),
                  allowed=_customer_of(desk))


def add_info(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    submit_change(ack, body, desk, type_="info_provided", error_block=BlockId.TEXT, data=_text(BlockId.TEXT, desk, "text"),
                  allowed=_customer_of(desk))
