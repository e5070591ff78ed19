"""The operations in Slack: ``/support maintenance`` (a modal for agents), ``/support
status`` without an id (the customer's account), ``/support report``, and the card's
"Service affected" select. Listeners ack first; nothing here posts in channels: the
maintenance notices go through the operations clock and the outbox.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack

from slackops.errors import DomainError
from slackops.operations.card import parse_choice
from slackops.slack.auth import Role
from slackops.slack.blocks.text import escape, truncate
from slackops.slack.desk import Desk
from slackops.slack.i18n import t
from slackops.slack.ids import CallbackId
from slackops.slack.metadata import ViewMeta

__all__ = ["command", "maintenance_modal", "submit_maintenance", "service_affected", "status_text"]

log = logging.getLogger("slackops.operations")

START, END, IMPACT, ACCOUNTS, EMERGENCY, NOTE = "mnt_start", "mnt_end", "mnt_impact", "mnt_accounts", "mnt_emergency", "mnt_note"
_IMPACTS = (("unavailable", "Unavailable"), ("degraded", "Degraded"), ("none", "No interruption"))


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _opt(value: str, text: str) -> dict[str, Any]:
    return {"text": _plain(truncate(text, 75)), "value": value}


class _Actor:
    def __init__(self, user_id: str, role: Role, channel: str | None) -> None:
        self.user_id, self.role, self.channel = user_id, role, channel


def actor_of(desk: Desk, body: dict[str, Any]) -> _Actor:
    """Who sent this (as slackops.slack.listeners.common sees it; that package imports this one)."""
    who = desk.directory.identify(body)
    channel = body.get("channel_id") or ((body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else None)
    if not channel:
        channel = (body.get("container") or {}).get("channel_id") or ViewMeta.parse(
            (body.get("view") or {}).get("private_metadata")).channel
    return _Actor(who.user_id, desk.directory.role_of(who), channel)


def require_agent(desk: Desk, body: dict[str, Any]) -> _Actor | None:
    actor = actor_of(desk, body)
    if actor.role is Role.AGENT:
        return actor
    desk.tell(actor.user_id, t("en", "refuse.agents_only"), channel=actor.channel)
    return None


def _book(desk: Desk) -> Any:
    from slackops.operations.records import MaintenanceBook

    return MaintenanceBook(desk.store.redis, desk.config, desk.store.policy, desk.store.keys.prefix)


def command(verb: str, ack: Ack, body: dict[str, Any], desk: Desk, account: Any, lang: str) -> None:
    """``/support maintenance|report|downtime``, and ``/support status`` without an id."""
    actor = actor_of(desk, body)
    if verb == "status":
        if account is None:
            ack(text=t(lang, "refuse.unmapped_channel"))
            return
        ack(text=status_text(desk, account, lang))
        return
    if actor.role not in (Role.AGENT, Role.MANAGER):
        ack(text="Only the vendor's agents and managers can do that.")
        return
    if verb == "downtime":
        ack(text=correct_downtime(desk, actor, body.get("text") or ""))
        return
    if verb == "report":
        from slackops.operations.report_slack import report_command

        report_command(ack, body, desk, actor)
        return
    ack()
    meta = ViewMeta(channel=actor.channel)
    desk.open_view(body["trigger_id"], lambda: maintenance_modal(desk.config, meta), user=actor.user_id,
                   channel=actor.channel)


DOWNTIME_USAGE = ("Usage: `/support downtime ACME-7 start=2026-11-25T08:30-05:00 end=... the reason` "
                  "(start and/or end, ISO 8601 with an offset, then why)")


def correct_downtime(desk: Desk, actor: Any, text: str) -> str:
    """An agent corrects the downtime interval a request counts for, with a reason."""
    if actor.role is not Role.AGENT:
        return t("en", "refuse.agents_only")
    words = text.split()[1:]
    if not words:
        return DOWNTIME_USAGE
    data: dict[str, Any] = {}
    reason: list[str] = []
    for w in words[1:]:
        key, eq, value = w.partition("=")
        if eq and key in ("start", "end") and not reason:
            data[key] = value
        else:
            reason.append(w)
    data["reason"] = " ".join(reason)
    from slackops.slack.flows import change

    try:
        req = change(desk, words[0].upper(), "downtime_corrected", actor.user_id, data)
    except DomainError as e:
        return escape(str(e)) + "\n" + DOWNTIME_USAGE
    fix = req.fields.get("downtime") or {}
    return (f"{req.id}: its downtime now counts from {fix.get('start', 'its submission')} "
            f"to {fix.get('end', 'its resolution')} (recorded in its history).")


def maintenance_modal(config: Any, meta: ViewMeta) -> dict[str, Any]:
    accounts = [_opt(a.id, a.name) for a in config.accounts][:100]
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": START, "label": _plain("Start"),
         "element": {"type": "datetimepicker", "action_id": "value"}},
        {"type": "input", "block_id": END, "label": _plain("End"),
         "element": {"type": "datetimepicker", "action_id": "value"}},
        {"type": "input", "block_id": IMPACT, "label": _plain("Impact"),
         "element": {"type": "static_select", "action_id": "value", "options": [_opt(v, t) for v, t in _IMPACTS],
                     "initial_option": _opt(*_IMPACTS[0])}},
        {"type": "input", "block_id": ACCOUNTS, "optional": True, "label": _plain("Affected accounts (none: all)"),
         "element": {"type": "multi_static_select", "action_id": "value", "options": accounts,
                     "placeholder": _plain("All accounts")}},
        {"type": "input", "block_id": EMERGENCY, "optional": True, "label": _plain("Emergency"),
         "element": {"type": "checkboxes", "action_id": "value",
                     "options": [_opt("yes", "Emergency maintenance: allowed any time, announced at once")]}},
        {"type": "input", "block_id": NOTE, "optional": True, "label": _plain("Note for customers"),
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 1000}},
    ]
    return {"type": "modal", "callback_id": str(CallbackId.MAINTENANCE), "title": _plain("Schedule maintenance"),
            "submit": _plain("Schedule"), "close": _plain("Cancel"), "private_metadata": meta.dump(), "blocks": blocks}


def _state(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    return {block: (els.get("value") or next(iter(els.values()), {})) for block, els in values.items()}


def _when(el: dict[str, Any]) -> datetime | None:
    ts = el.get("selected_date_time")
    return datetime.fromtimestamp(int(ts), UTC) if ts not in (None, "") else None


def submit_maintenance(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    actor = actor_of(desk, body)
    if actor.role not in (Role.AGENT, Role.MANAGER):
        ack(response_action="errors", errors={START: "Only the vendor's agents and managers can schedule maintenance."})
        return
    v = _state(body)
    start, end = _when(v.get(START, {})), _when(v.get(END, {}))
    if start is None or end is None:
        ack(response_action="errors", errors={(START if start is None else END): "Pick a date and a time."})
        return
    impact = (v.get(IMPACT, {}).get("selected_option") or {}).get("value") or "unavailable"
    accounts = [o["value"] for o in v.get(ACCOUNTS, {}).get("selected_options") or []] or None
    emergency = bool(v.get(EMERGENCY, {}).get("selected_options"))
    note = (v.get(NOTE, {}).get("value") or "").strip()
    try:
        m = _book(desk).add(start=start, end=end, now=desk.now(), impact=impact, accounts=accounts,
                            emergency=emergency, note=note, by=actor.user_id)
    except DomainError as e:
        ack(response_action="errors", errors={START: truncate(str(e), 1900)})
        return
    ack()
    who = "every account" if m.accounts is None else ", ".join(m.accounts)
    desk.tell(actor.user_id, f"{m.id} scheduled ({m.impact}{', emergency' if m.emergency else ''}) for {who}: "
                             f"<!date^{int(m.start.timestamp())}^{{date_short_pretty}} {{time}}|{m.start:%Y-%m-%d %H:%M} UTC> to "
                             f"<!date^{int(m.end.timestamp())}^{{date_short_pretty}} {{time}}|{m.end:%Y-%m-%d %H:%M} UTC>. "
                             "Each account is told in its channel.", channel=None)


def service_affected(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """The card's select: record the request's service impact (an event in its history)."""
    ack()
    actor = require_agent(desk, body)
    if actor is None:
        return
    rid, impact = parse_choice(body)
    if not rid or impact not in ("none", "degraded", "unavailable"):
        desk.tell(actor.user_id, "That choice could not be read; try again from the card.", channel=actor.channel)
        return
    from slackops.slack.flows import change

    action_ts = (body.get("actions") or [{}])[0].get("action_ts") or ""
    try:
        change(desk, rid, "service_affected", actor.user_id, {"impact": impact}, key=f"svc:{rid}:{action_ts}")
    except DomainError as e:
        desk.tell(actor.user_id, escape(str(e)), channel=actor.channel)


def status_text(desk: Desk, account: Any, lang: str) -> str:
    """The service's status for the account, with the status page's link."""
    from slackops.operations.status import account_status
    from slackops.operations.texts import when
    from slackops.operations.tokens import StatusTokens

    s = account_status(desk.store, _book(desk), account, desk.now())
    tz = s["timezone"]
    it = lang == "it"
    head = {"operational": ("Tutti i sistemi funzionano", "All systems operational"),
            "maintenance": ("Manutenzione in corso", "Maintenance in progress"),
            "degraded": ("Servizio degradato", "Service degraded"),
            "unavailable": ("Servizio non disponibile", "Service unavailable")}[s["state"]][0 if it else 1]
    lines = [f"*{escape(account.name)}*: {head}"]
    for r in s["service_affecting"]:
        lines.append(f"• {r['id']} ({escape(r['priority'])}, {r['impact']}): {escape(truncate(r['title'], 120))}")
    for m in s["maintenance_in_progress"]:
        lines.append(("• Manutenzione in corso " if it else "• Maintenance in progress ") +
                     f"{m['id']} → {when(datetime.fromisoformat(m['end']), tz)}")
    n = s["next_maintenance"]
    if n:
        lines.append(("Prossima manutenzione: " if it else "Next maintenance: ") +
                     f"{n['id']}, {when(datetime.fromisoformat(n['start']), tz)} – {when(datetime.fromisoformat(n['end']), tz)}")
    url = StatusTokens(desk.store.redis, desk.config, desk.store.keys.prefix).url(account.id)
    if url:
        lines.append(("Pagina di stato: " if it else "Status page: ") + url)
    return truncate("\n".join(lines), 3000)
