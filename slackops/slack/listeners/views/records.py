"""Submissions of the agents' records (status update, plan, workaround, problem identified,
a declined upgrade) and of the customer's request for a higher priority. Each is one
event in the store; what the customer is told follows from the history."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from slackops.notices.i18n import t
from slackops.slack.auth import Role
from slackops.slack.blocks.records import expected_date
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId
from slackops.slack.listeners.common import Actor
from slackops.slack.listeners.views.customer import _customer_of
from slackops.slack.listeners.views.submit import submit_change
from slackops.slack.phi import phi_reason

__all__ = ["post_update", "record_plan", "workaround", "identified", "upgrade_decline", "request_upgrade"]


def _agent(actor: Actor, req: Any) -> bool:
    return actor.role is Role.AGENT


def _text(v: dict[str, str | None], block: str = BlockId.TEXT) -> dict[str, Any]:
    text = v.get(block)
    if not text:
        return {"_error": {block: t("en", "form.required")}}
    return {"text": text}


def post_update(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    submit_change(ack, body, desk, type_="update_posted", error_block=BlockId.TEXT,
                  data=lambda v, req: _text(v), allowed=_agent)


def record_plan(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Any) -> dict[str, Any]:
        out = _text(v)
        if "_error" in out:
            return out
        try:
            expected = expected_date(v.get(BlockId.EXPECTED))
        except ValueError:
            return {"_error": {BlockId.EXPECTED: t("en", "plan.bad_date")}}
        if expected:
            if expected < desk.now().date().isoformat():
                return {"_error": {BlockId.EXPECTED: t("en", "plan.past_date")}}
            out["expected"] = expected
        return out

    submit_change(ack, body, desk, type_="plan_recorded", error_block=BlockId.TEXT, data=data, allowed=_agent)


def workaround(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    submit_change(ack, body, desk, type_="workaround_given", error_block=BlockId.TEXT,
                  data=lambda v, req: _text(v), allowed=_agent)


def identified(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    submit_change(ack, body, desk, type_="identified", error_block=BlockId.TEXT,
                  data=lambda v, req: _text(v), allowed=_agent)


def upgrade_decline(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Any) -> dict[str, Any]:
        if not v.get(BlockId.REASON):
            return {"_error": {BlockId.REASON: t("en", "form.required")}}
        return {"reason": v[BlockId.REASON], "to": (req.notes or {}).get("upgrade_to") or ""}

    submit_change(ack, body, desk, type_="upgrade_declined", error_block=BlockId.REASON, data=data, allowed=_agent)


def request_upgrade(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """IXCloud: "you must provide ... sufficient information that demonstrates the increased impact"."""

    def data(v: dict[str, str | None], req: Any) -> dict[str, Any]:
        lang = req.language or "en"
        errors: dict[str, str] = {}
        if not v.get(BlockId.PRIORITY):
            errors[BlockId.PRIORITY] = t(lang, "form.required")
        why = v.get(BlockId.JUSTIFICATION)
        if not why:
            errors[BlockId.JUSTIFICATION] = t(lang, "upgrade.justification_required")
        elif desk.policy_of(req).intake.phi_guard and phi_reason(why, lang):
            errors[BlockId.JUSTIFICATION] = phi_reason(why, lang) or ""
        if errors:
            return {"_error": errors}
        return {"to": v[BlockId.PRIORITY], "justification": why}

    submit_change(ack, body, desk, type_="upgrade_requested", error_block=BlockId.JUSTIFICATION, data=data,
                  allowed=_customer_of(desk))
