"""The agents' card (``agent_controls: triage``): the request as the vendor's agents work
it, in the vendor's triage channel, where the customer cannot see it.

It carries the SLA clock of every target, the flags (PHI suspected, service affected,
waiting on customer), every agent button (the same action ids as on the single card of
``agent_controls: shared``, so they reach the same listeners) and a link to the
customer's thread, where agents answer the customer. Replies in the agents' card's own
thread are internal notes. People of the vendor read it in English."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slackops.notices.due import (
    CUSTOMER_FACING,
    due_line,
    format_when,
    slack_date,
    unconfirmed_close,
)
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
from slackops.slack.blocks.card import OPEN_STATUSES, agent_actions, card_fields
from slackops.slack.blocks.card_records import records_blocks
from slackops.slack.blocks.common import button, context, status_value
from slackops.slack.blocks.satisfaction import card_lines
from slackops.slack.ids import ActionId, BlockId
from slackops.slack.phi import find_phi

__all__ = ["SERVICE_IMPACTS", "agents_card", "flags", "clock_lines"]

SERVICE_IMPACTS = ("degraded", "unavailable")
"""Values of a request's ``service_impact`` field that mean the customer's service is affected."""

LANG = "en"


def flags(req: Any, policy: Any = None) -> list[str]:
    """What agents must know at a glance: likely PHI in the request's text, the customer's
    service affected (``service_impact``), the request waiting on the customer."""

    out: list[str] = []
    fields = req.fields or {}
    texts = [req.title or "", req.description or ""] + [str(v) for k, v in fields.items()
                                                        if k in ("impact", "environment", "steps", "justification")]
    # likely PHI in the request's text, or flagged in a thread reply (``notes["phi"]``)
    if (getattr(req, "notes", None) or {}).get("phi") or any(find_phi(x) for x in texts):
        out.append(t(LANG, "card.flag_phi"))
    impact = str(fields.get("service_impact") or "")
    if not impact and policy is not None:  # the policy's default (Interopion P1: unavailable)

        impact = str(impact_of(req, policy) or "")
    if impact in SERVICE_IMPACTS:
        out.append(t(LANG, "card.flag_service", impact=impact))
    if status_value(req.status) == "waiting_on_customer":
        out.append(t(LANG, "card.flag_waiting"))
    return out


def clock_lines(checkpoints: list[Any], *, tz: str, now: datetime) -> list[str]:
    """One line per target (first response, updates, workaround, resolution, critical
    notice): met (when), due (in how long) or overdue (since when), paused."""
    lines: list[str] = []
    for cp in sorted((c for c in checkpoints if c.kind in CUSTOMER_FACING), key=lambda c: c.due_at):
        what = t(LANG, f"checkpoint.{cp.kind}")
        if cp.met_at is not None:
            when = slack_date(cp.met_at, format_when(cp.met_at, tz, now, LANG))
            mark = ":warning:" if cp.state == "breached" or cp.met_at > cp.due_at else ":white_check_mark:"
            lines.append(f"{mark} " + t(LANG, "card.clock_met", what=what, when=when))
            continue
        if cp.state not in ("pending", "breached"):
            continue  # void: no longer applies
        mark = ":red_circle:" if cp.state == "breached" or cp.due_at < now else ":stopwatch:"
        line = f"{mark} " + due_line(cp, now=now, tz=tz, lang=LANG, per_reader=True)
        if getattr(cp, "paused", False):
            line += t(LANG, "card.clock_paused")
        lines.append(line)
    return lines


def _acknowledged(req: Any) -> list[str]:
    """Who acknowledged the escalation level reached, and when (none yet: nothing)."""
    acks = [a for a in getattr(req, "escalation_acks", ()) if req.escalation_level and a[0] >= req.escalation_level]
    if not acks:
        return []
    level, at, who = acks[0]
    when = slack_date(at, f"{at:%Y-%m-%d %H:%M} UTC")
    return [f"*{t(LANG, 'card.escalation_acknowledged')}*\n{t(LANG, 'card.acknowledged_by', who=user_link(who), when=when, level=level)}"]


def agents_card(req: Any, checkpoints: list[Any], *, policy: Any, now: datetime, account_name: str,
                thread_link: str | None) -> list[dict[str, Any]]:
    """The agents' card's blocks. ``thread_link``: the customer card's permalink."""
    status = status_value(req.status)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "block_id": BlockId.CARD_HEADER, "text": plain(f"{req.id} · {req.title}", HEADER_LIMIT)},
        context(t(LANG, "card.agents_intro", account=escape(account_name))),
        card_fields(req, policy, LANG, extra=[f"*{t(LANG, 'card.account')}*\n{escape(account_name)}",
                                              *_acknowledged(req)]),
    ]
    marks = flags(req, policy)
    if marks:
        blocks.append(context("   ".join(marks), BlockId.CARD_FLAGS))
    if status in OPEN_STATUSES:
        lines = clock_lines(checkpoints, tz=policy.timezone, now=now) or [t(LANG, "card.no_clocks")]
        blocks.append({"type": "section", "block_id": BlockId.CARD_CLOCKS, "text": {
            "type": "mrkdwn", "text": truncate(f"*{t(LANG, 'card.clocks')}*\n" + "\n".join(lines), SECTION_LIMIT)}})
    elif req.resolution:
        line = t(LANG, "card.resolution", resolution=t(LANG, "resolution." + str(req.resolution)))
        closing = unconfirmed_close(policy, req, LANG) if status == "resolved" else None
        if closing:
            line += " · " + t(LANG, "card.closes_unconfirmed", when=closing[2])
        blocks.append(context(line, BlockId.CARD_DUE))
    rating = card_lines(req, LANG)  # the customer's rating, once the request is closed and rated
    if rating:
        blocks.append(context("\n".join(rating), BlockId.CSAT))
    if req.description:
        blocks.append({"type": "section", "block_id": BlockId.CARD_DESCRIPTION,
                       "text": {"type": "mrkdwn", "text": escaped_cut(req.description, SECTION_LIMIT)}})
    # what agents recorded: diagnosis, plan, workaround, a pending upgrade request, the upgrade owed
    blocks.extend(records_blocks(req, checkpoints, policy=policy, now=now, lang=LANG))
    actions = agent_actions(req, policy, status, LANG)
    if thread_link:
        link = button(t(LANG, "btn.customer_thread"), ActionId.OPEN_THREAD, req.id, url=thread_link)
        if actions:
            actions[-1]["elements"] = [*actions[-1]["elements"][:24], link]
        else:
            actions = [{"type": "actions", "block_id": BlockId.CARD_AGENT_ACTIONS, "elements": [link]}]
    blocks.extend(actions)
    return blocks
