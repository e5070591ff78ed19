"""The maintenance form's submission: the window is booked (operations' maintenance
book); each account is told in its channel by the operations clock through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack

from slackops.errors import DomainError
from slackops.notices.text import truncate
from slackops.slack.auth import Role
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId
from slackops.slack.listeners.common import actor_of, maintenance_book

__all__ = ["submit_maintenance"]


def _state(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    return {block: (els.get("value") or next(iter(els.values()), {})) for block, els in values.items()}


def _when(el: dict[str, Any]) -> datetime | None:
    ts = el.get("selected_date_time")
    return datetime.fromtimestamp(int(ts), UTC) if ts not in (None, "") else None


def submit_maintenance(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    actor = actor_of(desk, body)
    if actor.role not in (Role.AGENT, Role.MANAGER):
        ack(response_action="errors", errors={BlockId.MNT_START: "Only the vendor's agents and managers can schedule maintenance."})
        return
    v = _state(body)
    start, end = _when(v.get(BlockId.MNT_START, {})), _when(v.get(BlockId.MNT_END, {}))
    if start is None or end is None:
        ack(response_action="errors", errors={(BlockId.MNT_START if start is None else BlockId.MNT_END): "Pick a date and a time."})
        return
    impact = (v.get(BlockId.MNT_IMPACT, {}).get("selected_option") or {}).get("value") or "unavailable"
    accounts = [o["value"] for o in v.get(BlockId.MNT_ACCOUNTS, {}).get("selected_options") or []] or None
    emergency = bool(v.get(BlockId.MNT_EMERGENCY, {}).get("selected_options"))
    note = (v.get(BlockId.MNT_NOTE, {}).get("value") or "").strip()
    try:
        m = maintenance_book(desk).add(start=start, end=end, now=desk.now(), impact=impact, accounts=accounts,
                            emergency=emergency, note=note, by=actor.user_id)
    except DomainError as e:
        ack(response_action="errors", errors={BlockId.MNT_START: truncate(str(e), 1900)})
        return
    ack()
    who = "every account" if m.accounts is None else ", ".join(m.accounts)
    desk.tell(actor.user_id, f"{m.id} scheduled ({m.impact}{', emergency' if m.emergency else ''}) for {who}: "
                             f"<!date^{int(m.start.timestamp())}^{{date_short_pretty}} {{time}}|{m.start:%Y-%m-%d %H:%M} UTC> to "
                             f"<!date^{int(m.end.timestamp())}^{{date_short_pretty}} {{time}}|{m.end:%Y-%m-%d %H:%M} UTC>. "
                             "Each account is told in its channel.", channel=None)
