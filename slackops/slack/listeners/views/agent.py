"""Agents' forms: assign, reclassify, categorize, request information, critical notice,
resolve, reopen, escalate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from slack_bolt import Ack

from slackops.notices.i18n import t
from slackops.operations.tokens import status_line
from slackops.slack.auth import Role
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId
from slackops.slack.listeners.common import Actor, needs_24x7_refusal, view_meta
from slackops.slack.listeners.views.submit import submit_change
from slackops.slack.phi import phi_reason

if TYPE_CHECKING:
    from slackops.requests import Request


def _agent(actor: Actor, req: Request) -> bool:
    return actor.role is Role.AGENT


def _staff(actor: Actor, req: Request) -> bool:
    return actor.role in (Role.AGENT, Role.MANAGER)


def _required(values: dict[str, str | None], block: str, lang: str) -> dict[str, Any] | None:
    if not values.get(block):
        return {"_error": {block: t(lang, "form.required")}}
    return None


def assign(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    force = view_meta(body).force

    values = (((body.get("view") or {}).get("state") or {}).get("values") or {})
    accepting = BlockId.PRIORITY in values  # the form asked for the initial priority (IXCloud)

    def data(v: dict[str, str | None], req: Any) -> dict[str, Any]:
        if not v.get(BlockId.ASSIGNEE):
            return {"_error": {BlockId.ASSIGNEE: t("en", "form.required")}}
        out: dict[str, Any] = {"assignee": v[BlockId.ASSIGNEE]}
        if force:
            out["force"] = True
        if accepting:
            if not v.get(BlockId.PRIORITY):
                return {"_error": {BlockId.PRIORITY: t("en", "form.required")}}
            refusal = needs_24x7_refusal(desk, req, v[BlockId.PRIORITY], "en")
            if refusal:
                return {"_error": {BlockId.PRIORITY: refusal}}
            out["priority"] = v[BlockId.PRIORITY]
        return out

    submit_change(ack, body, desk, type_="acknowledged" if accepting else "assigned", error_block=BlockId.ASSIGNEE,
                  data=data, allowed=_staff)


def accept(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """IXCloud: "At the time [the vendor] accepts a service request, [it] will record an
    initial severity level"."""

    assignee = view_meta(body).assignee  # Take: the agent who pressed it takes the request too

    def data(v: dict[str, str | None], req: Any) -> dict[str, Any]:
        if not v.get(BlockId.PRIORITY):
            return {"_error": {BlockId.PRIORITY: t("en", "form.required")}}
        refusal = needs_24x7_refusal(desk, req, v[BlockId.PRIORITY], "en")
        if refusal:
            return {"_error": {BlockId.PRIORITY: refusal}}
        out: dict[str, Any] = {"priority": v[BlockId.PRIORITY]}
        if v.get(BlockId.REASON):
            out["reason"] = v[BlockId.REASON]
        if assignee:
            out["assignee"] = assignee
        return out

    submit_change(ack, body, desk, type_="acknowledged", error_block=BlockId.PRIORITY, data=data, allowed=_agent)


def reclassify(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """Interopion: the vendor "will inform Customer of any such change in its response";
    IXCloud: upgrades only "with stated justification of increased impact"."""

    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        if not v.get(BlockId.PRIORITY):
            return {"_error": {BlockId.PRIORITY: t("en", "form.required")}}
        refusal = needs_24x7_refusal(desk, req, v[BlockId.PRIORITY], "en")
        if refusal:
            return {"_error": {BlockId.PRIORITY: refusal}}
        out = {"from": req.priority, "to": v[BlockId.PRIORITY], "reason": v.get(BlockId.REASON) or ""}
        if v.get(BlockId.JUSTIFICATION):
            out["justification"] = v[BlockId.JUSTIFICATION]
        return out

    submit_change(ack, body, desk, type_="reclassified", error_block=BlockId.JUSTIFICATION, data=data, allowed=_agent)


def categorize(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        return _required(v, BlockId.CATEGORY, "en") or {"category": v[BlockId.CATEGORY]}

    submit_change(ack, body, desk, type_="categorized", error_block=BlockId.CATEGORY, data=data, allowed=_agent)


def request_info(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        return _required(v, BlockId.QUESTION, "en") or {"question": v[BlockId.QUESTION]}

    submit_change(ack, body, desk, type_="info_requested", error_block=BlockId.QUESTION, data=data, allowed=_agent)


def critical_notice(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Any) -> dict[str, Any]:
        missing = _required(v, BlockId.NOTICE_TEXT, "en")
        if missing:
            return missing
        # critical-issue notices link the account's status page

        link = status_line(desk.store.redis, desk.config, desk.store.keys.prefix, req.account, req.language or "en")
        return {"text": cast(str, v[BlockId.NOTICE_TEXT]) + (f"\n{link}" if link else "")}

    submit_change(ack, body, desk, type_="critical_notice_sent", error_block=BlockId.NOTICE_TEXT, data=data, allowed=_agent)


def resolve(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        if not v.get(BlockId.RESOLUTION):
            return {"_error": {BlockId.RESOLUTION: t("en", "form.required")}}
        return {"resolution": v[BlockId.RESOLUTION], "note": v.get(BlockId.NOTE) or ""}

    submit_change(ack, body, desk, type_="resolved", error_block=BlockId.NOTE, data=data, allowed=_agent)


def reopen(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        return _required(v, BlockId.REASON, "en") or {"reason": v[BlockId.REASON]}

    submit_change(ack, body, desk, type_="reopened", error_block=BlockId.REASON, data=data, allowed=_agent)


def escalate(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        return _required(v, BlockId.REASON, "en") or {
            "level": (req.escalation_level or 0) + 1, "by": "agent", "reason": v[BlockId.REASON]}

    submit_change(ack, body, desk, type_="escalated", error_block=BlockId.REASON, data=data, allowed=_agent)


__all__ = ["assign", "reclassify", "categorize", "request_info", "critical_notice", "resolve", "reopen", "escalate",
           "phi_reason"]
