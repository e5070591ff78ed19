"""The operations' ``/support`` sub-commands: ``maintenance`` (opens the form, agents and
managers), ``downtime`` (an agent corrects a request's downtime), ``report`` and
``status`` without an id (the customer's account). Listeners ack first; nothing here posts
in channels: the maintenance notices go through the operations clock and the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack

from slackops.errors import DomainError
from slackops.notices.i18n import t
from slackops.notices.text import escape, truncate
from slackops.operations.status import account_status
from slackops.operations.texts import when
from slackops.operations.tokens import StatusTokens
from slackops.slack.auth import Role
from slackops.slack.blocks.maintenance import maintenance_modal
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.listeners.commands.report import report_command
from slackops.slack.listeners.common import actor_of, maintenance_book
from slackops.slack.metadata import ViewMeta

__all__ = ["command", "correct_downtime", "status_text", "DOWNTIME_USAGE"]


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
    try:
        req = change(desk, words[0].upper(), "downtime_corrected", actor.user_id, data)
    except DomainError as e:
        return escape(str(e)) + "\n" + DOWNTIME_USAGE
    fix = req.fields.get("downtime") or {}
    return (f"{req.id}: its downtime now counts from {fix.get('start', 'its submission')} "
            f"to {fix.get('end', 'its resolution')} (recorded in its history).")


def status_text(desk: Desk, account: Any, lang: str) -> str:
    """The service's status for the account, with the status page's link."""
    s = account_status(desk.store, maintenance_book(desk), account, desk.now())
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
