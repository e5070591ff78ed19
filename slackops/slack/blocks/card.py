"""The request card: posted in the shared channel, its thread holds the conversation,
updated in place on every change.

With ``agent_controls: shared`` this one card carries everyone's buttons
(:func:`request_card`). With ``triage`` (the default) each request has two cards: the
customer card in the shared channel (:mod:`slackops.slack.blocks.card_customer`) and the
agents' card in the vendor's triage channel (:mod:`slackops.slack.blocks.card_agents`).
The pieces here are shared by all three; the agents' buttons (:func:`agent_actions`) are
the same on the single card and the agents' card, so both reach the same listeners."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from slackops.notices.due import due_line, is_breached, next_due
from slackops.notices.i18n import t
from slackops.notices.text import (
    HEADER_LIMIT,
    SECTION_LIMIT,
    escape,
    escaped_cut,
    plain,
    truncate,
    user_link,
)
from slackops.operations.status import impact_of
from slackops.slack.blocks.card_records import record_buttons, records_blocks, upgrade_button
from slackops.slack.blocks.common import STATUS_EMOJI, button, context, status_value
from slackops.slack.blocks.satisfaction import card_lines
from slackops.slack.ids import ActionId, BlockId

if TYPE_CHECKING:
    from slackops.policy import Checkpoint, Policy
    from slackops.requests import Request

__all__ = ["request_card", "card_text", "priority_label", "status_label", "agent_actions", "customer_actions",
           "card_fields"]

OPEN_STATUSES = ("submitted", "acknowledged", "in_progress", "waiting_on_customer")


def priority_label(policy: Policy, priority_id: str, lang: str = "en") -> str:
    try:
        p = policy.priority(priority_id)
        label = p.label_in(lang)
        return f"{p.id} — {label}" if label and label != p.id else p.id
    except Exception:
        return priority_id


def status_label(status: str, lang: str, to_customer: bool = False) -> str:
    """The status in words; waiting on the customer says who is waited on, except to the
    customer themselves ("Waiting on you")."""
    s = status_value(status)
    key = f"status.{s}" if to_customer or s != "waiting_on_customer" else "status.waiting_on_customer_others"
    return f"{STATUS_EMOJI.get(s, '')} {t(lang, key)}".strip()


def category_label(policy: Policy, category_id: str | None, lang: str) -> str | None:
    if not category_id:
        return None
    for c in getattr(policy, "categories", []) or []:
        if c.id == category_id:
            return c.label(lang)
    return category_id


def card_text(req: Request, lang: str = "en") -> str:
    """The notification text of the card (also what screen readers say)."""
    return truncate(f"{req.id}: {escape(req.title)} ({req.priority}, {t(lang, 'status.' + status_value(req.status))})", 3000)


def has_critical_notice(policy: Policy, priority_id: str) -> bool:
    try:
        return "critical_notice" in policy.priority(priority_id).targets
    except Exception:
        return False


def request_card(req: Request, checkpoints: list[Checkpoint], *, policy: Policy, now: datetime, lang: str | None = None) -> list[dict[str, Any]]:
    """The card's blocks. Times are shown to each reader in their own zone (Slack date
    tokens) with the policy's zone as the fallback."""
    lang = lang or req.language or "en"
    status = status_value(req.status)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "block_id": BlockId.CARD_HEADER, "text": plain(f"{req.id} · {req.title}", HEADER_LIMIT)},
        card_fields(req, policy, lang),
    ]
    if status in OPEN_STATUSES:
        cp = next_due(checkpoints)
        line = due_line(cp, now=now, tz=policy.timezone, lang=lang, per_reader=True)
        mark = ":red_circle: " if is_breached(checkpoints) else ":stopwatch: "
        blocks.append(context(mark + line, BlockId.CARD_DUE))
    elif req.resolution:
        blocks.append(context(t(lang, "card.resolution", resolution=t(lang, "resolution." + str(req.resolution))), BlockId.CARD_DUE))
    rating = card_lines(req, lang)  # agent_controls: shared: this card is the agents' card too
    if rating:
        blocks.append(context("\n".join(rating), BlockId.CSAT))
    blocks.extend(records_blocks(req, checkpoints, policy=policy, now=now, lang=lang))
    if req.description:
        blocks.append({"type": "section", "block_id": BlockId.CARD_DESCRIPTION,
                       "text": {"type": "mrkdwn", "text": escaped_cut(req.description, SECTION_LIMIT)}})
    blocks.extend(_agent_actions(req, policy, status, lang))
    blocks.extend(_customer_actions(req, status, lang, policy))
    return blocks


def _calendar_words(policy: Any, req: Any, lang: str = "en") -> str | None:
    try:
        cal = policy.calendar(req.calendar)
        return (getattr(cal, "descriptions", None) or {}).get(lang) or getattr(cal, "description", None)
    except Exception:  # noqa: BLE001 - a calendar the policy no longer has
        return None


def card_fields(req: Any, policy: Any, lang: str, *, extra: list[str] | None = None, to_customer: bool = False) -> dict[str, Any]:
    """Priority, status, who is on it, who opened it (then category, escalation level, ``extra``)."""
    status = status_value(req.status)
    fields = [
        f"*{t(lang, 'card.priority')}*\n{escape(priority_label(policy, req.priority, lang))}",
        f"*{t(lang, 'card.status')}*\n{status_label(status, lang, to_customer)}",
        f"*{t(lang, 'card.assignee')}*\n{user_link(req.assignee) if req.assignee else t(lang, 'card.unassigned')}",
        f"*{t(lang, 'card.submitted_by')}*\n{user_link(req.submitted_by)}",
    ]
    cat = category_label(policy, req.category, lang)
    if cat:
        fields.append(f"*{t(lang, 'card.category')}*\n{escape(cat)}")
    cal_words = _calendar_words(policy, req, lang)
    if cal_words:  # which calendar its deadlines run on (Interactor: the customer's country)
        fields.append(f"*{t(lang, 'card.calendar')}*\n{escape(cal_words)}")
    if req.escalation_level:
        fields.append(f"*{t(lang, 'card.escalation')}*\n{t(lang, 'card.level', level=req.escalation_level)}")
    fields.extend(extra or [])
    return {"type": "section", "block_id": BlockId.CARD_FIELDS, "fields": [{"type": "mrkdwn", "text": truncate(f, 2000)} for f in fields[:10]]}


def _agent_actions(req: Any, policy: Any, status: str, lang: str) -> list[dict[str, Any]]:
    """The agents' buttons (on the single card, or on the agents' card)."""
    rid = req.id
    els: list[dict[str, Any]] = []
    if status in OPEN_STATUSES:
        # the two or three actions the state calls for next, the rest in one menu
        from slackops.slack.blocks.card_menu import agent_controls

        els = agent_controls(req, policy, status, lang, critical=has_critical_notice(policy, req.priority),
                             records=record_buttons(req, policy, lang), impact=impact_of(req, policy))
    elif status == "resolved":
        els.append(button(t(lang, "btn.reopen"), ActionId.REOPEN, rid))
    if not els:
        return []
    return [context(t(lang, "card.for_agents")), {"type": "actions", "block_id": BlockId.CARD_AGENT_ACTIONS, "elements": els[:25]}]


def _customer_actions(req: Any, status: str, lang: str, policy: Any = None) -> list[dict[str, Any]]:
    """The customer's buttons, named from their side ("Escalate to a manager"): add
    information, escalate, appeal a reclassification, confirm resolved (``policy``: for
    the buttons a policy decides on)."""
    rid = req.id
    els: list[dict[str, Any]] = []
    if status in OPEN_STATUSES:
        els.append(button(t(lang, "btn.add_info"), ActionId.ADD_INFO, rid, style="primary" if status == "waiting_on_customer" else None))
        els.append(button(t(lang, "btn.customer_escalate"), ActionId.CUSTOMER_ESCALATE, rid))
        els.extend(upgrade_button(req, policy, lang))
    elif status == "resolved":
        els.append(button(t(lang, "btn.confirm_resolved"), ActionId.CONFIRM_RESOLVED, rid, style="primary"))
    if status != "closed" and req.priority_changes and not req.appealed_at:
        els.append(button(t(lang, "btn.customer_appeal"), ActionId.APPEAL, rid))
    if not els:
        return []
    return [context(t(lang, "card.for_customers")), {"type": "actions", "block_id": BlockId.CARD_CUSTOMER_ACTIONS, "elements": els}]


# the same buttons on the two cards of ``agent_controls: triage``
agent_actions = _agent_actions
customer_actions = _customer_actions
