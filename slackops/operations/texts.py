"""What the operations say to customers, in English and Italian (mrkdwn, user text escaped)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slackops.notices.text import escape

__all__ = ["maintenance_text", "when"]

_IMPACT = {
    "en": {"none": "no interruption expected", "degraded": "the service may be slower or partly unavailable",
           "unavailable": "the service will be unavailable"},
    "it": {"none": "nessuna interruzione prevista", "degraded": "il servizio potrà essere rallentato o in parte non disponibile",
           "unavailable": "il servizio non sarà disponibile"},
}

_TEXT = {
    "en": {
        "scheduled": ":wrench: *Scheduled maintenance {id}*: {start} to {end}. Impact: {impact}.",
        "changed": ":wrench: *Maintenance {id} has changed*: now {start} to {end}. Impact: {impact}.",
        "emergency": ":rotating_light: *Emergency maintenance {id}*: {start} to {end}. Impact: {impact}.",
        "reminder": ":alarm_clock: *Reminder*: maintenance {id} starts in {ahead}, at {start} (until {end}). Impact: {impact}.",
        "start": ":construction: *Maintenance {id} has started*; it is planned to end at {end}. Impact: {impact}.",
        "end": ":white_check_mark: *Maintenance {id} is over* (planned {start} to {end}).",
        "cancelled": ":no_entry_sign: *Maintenance {id} is cancelled* (it was planned {start} to {end}).",
        "note": "Note: {note}",
        "status": "Status page: {url}",
    },
    "it": {
        "scheduled": ":wrench: *Manutenzione programmata {id}*: dalle {start} alle {end}. Impatto: {impact}.",
        "changed": ":wrench: *La manutenzione {id} è cambiata*: ora dalle {start} alle {end}. Impatto: {impact}.",
        "emergency": ":rotating_light: *Manutenzione d'emergenza {id}*: dalle {start} alle {end}. Impatto: {impact}.",
        "reminder": ":alarm_clock: *Promemoria*: la manutenzione {id} inizia tra {ahead}, alle {start} (fino alle {end}). Impatto: {impact}.",
        "start": ":construction: *La manutenzione {id} è iniziata*; la fine è prevista alle {end}. Impatto: {impact}.",
        "end": ":white_check_mark: *La manutenzione {id} è terminata* (prevista dalle {start} alle {end}).",
        "cancelled": ":no_entry_sign: *La manutenzione {id} è annullata* (era prevista dalle {start} alle {end}).",
        "note": "Nota: {note}",
        "status": "Pagina di stato: {url}",
    },
}

_AHEAD_IT = {"hours": "ore", "hour": "ora", "minutes": "minuti", "minute": "minuto", "days": "giorni", "day": "giorno"}


def when(at: datetime, tz: str) -> str:
    """An instant as a Slack date token: each reader sees it in their own zone; the fallback,
    ``2026-05-04 20:00 MDT``, is in the account's zone and names it."""
    fallback = f"{at.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M %Z}"
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def maintenance_text(m: Any, stage: str, lang: str, tz: str, status_url: str | None = None) -> str:
    """The notice of ``stage`` (scheduled, reminder:<words>, start, end, cancelled) for ``m``."""
    lang = lang if lang in _TEXT else "en"
    table = _TEXT[lang]
    kind, _, ahead = stage.partition(":")
    if kind == "scheduled":
        kind = "emergency" if m.emergency else ("changed" if m.version > 1 else "scheduled")
    if lang == "it" and ahead:
        ahead = " ".join(_AHEAD_IT.get(w, w) for w in ahead.split())
    text = table[kind].format(id=m.id, start=when(m.start, tz), end=when(m.end, tz),
                              impact=_IMPACT[lang].get(m.impact, m.impact), ahead=ahead)
    if m.note and kind not in ("end",):
        text += "\n" + table["note"].format(note=escape(m.note))
    if status_url:
        text += "\n" + table["status"].format(url=status_url)
    return text


def account_tz(account: Any, policy: Any) -> str:
    return account.timezone or policy.timezone
