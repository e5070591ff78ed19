"""The card's part about what agents recorded: the plan of resolution (and its expected
date), the workaround, the diagnosis, a customer's pending request for a higher priority,
and whether identification is still owed ("becomes P1 at 14:30 unless identified"); the
agents' buttons that record them; the customer's "Ask for a higher priority" button."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from slackops.notices.due import format_when, slack_date
from slackops.notices.i18n import t
from slackops.notices.text import escaped_cut
from slackops.slack.blocks.common import button, context
from slackops.slack.ids import ActionId, BlockId

__all__ = ["records_blocks", "record_buttons", "upgrade_button", "upgrade_owed_line"]

SHOWN = 400
"""Characters of each recorded text on the card (the thread has the whole text)."""


def upgrade_owed_line(checkpoints: list[Any], policy: Any, *, now: datetime, lang: str,
                      per_reader: bool = True) -> str | None:
    """While an ``auto_upgrade ... unless: identified`` is pending: "becomes P1 at 14:30 unless identified"."""
    cp = next((c for c in checkpoints if c.kind == "auto_upgrade" and c.state == "pending"), None)
    if cp is None:
        return None
    try:
        up = policy.priority(cp.priority).auto_upgrade
    except Exception:  # noqa: BLE001 - a priority the policy no longer has: say nothing
        return None
    when = format_when(cp.due_at, policy.timezone, now, lang)
    if per_reader:
        when = slack_date(cp.due_at, when)
    return t(lang, "card.upgrade_owed", to=up.to if up else "?", when=when)


def _day(value: str, lang: str) -> str:
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{d.day} {t(lang, 'dur.months').split()[d.month - 1]} {d.year}"


def records_blocks(req: Any, checkpoints: list[Any], *, policy: Any, now: datetime, lang: str,
                   for_customer: bool = False) -> list[dict[str, Any]]:
    """The recorded lines. ``for_customer`` (the customer card in ``agent_controls: triage``):
    only what the customer was told in the thread (diagnosis, plan, workaround) and their
    own pending request; the PHI flag and the upgrade owed are the agents' card's."""
    notes = getattr(req, "notes", None) or {}
    lines: list[str] = []
    if notes.get("diagnosis"):
        lines.append(f"*{t(lang, 'card.diagnosis')}* {escaped_cut(notes['diagnosis'], SHOWN)}")
    if notes.get("plan"):
        plan = f"*{t(lang, 'card.plan')}* {escaped_cut(notes['plan'], SHOWN)}"
        if notes.get("plan_expected"):
            plan += " " + t(lang, "card.plan_expected", date=_day(notes["plan_expected"], lang))
        lines.append(plan)
    if notes.get("workaround"):
        lines.append(f"*{t(lang, 'card.workaround')}* {escaped_cut(notes['workaround'], SHOWN)}")
    if notes.get("upgrade_to"):
        lines.append(t(lang, "card.upgrade_requested", to=notes["upgrade_to"]))
    if notes.get("phi") and not for_customer:
        lines.append(t(lang, "card.phi_flag"))
    if req.is_open and not for_customer:
        owed = upgrade_owed_line(checkpoints, policy, now=now, lang=lang)
        if owed:
            lines.append(":arrow_double_up: " + owed)
    if not lines:
        return []
    return [context("\n".join(lines), BlockId.CARD_RECORDS)]


def record_buttons(req: Any, policy: Any, lang: str) -> list[dict[str, Any]]:
    """Agents' buttons for an open request: what the policy measures, recorded from Slack."""
    rid = req.id
    els = [
        button(t(lang, "btn.post_update"), ActionId.POST_UPDATE, rid),
        button(t(lang, "btn.record_plan"), ActionId.RECORD_PLAN, rid),
        button(t(lang, "btn.workaround"), ActionId.WORKAROUND, rid),
    ]
    try:
        upgrades = any(p.auto_upgrade is not None for p in policy.priorities)
    except Exception:  # noqa: BLE001
        upgrades = False
    if upgrades and getattr(req, "identified_at", None) is None:
        els.append(button(t(lang, "btn.identified"), ActionId.IDENTIFIED, rid))
    return els


def upgrade_button(req: Any, policy: Any, lang: str) -> list[dict[str, Any]]:
    """The customer's "Ask for a higher priority", unless it is the most urgent already or a request waits."""
    if policy is None or (getattr(req, "notes", None) or {}).get("upgrade_to"):
        return []
    try:
        rank = policy.priority(req.priority).rank
    except Exception:  # noqa: BLE001
        return []
    if not any(p.rank < rank for p in policy.priorities):
        return []
    return [button(t(lang, "btn.request_upgrade"), ActionId.REQUEST_UPGRADE, req.id)]
