"""The status page's words in the account's language (English or Italian, the formal
"voi" of docs/slack.md), and its times written in that language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["WORDS", "words", "local", "day"]

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "service status", "operational": "All systems operational", "maintenance": "Maintenance in progress",
        "degraded": "Service degraded", "unavailable": "Service unavailable", "none": "not affected",
        "updated": "Updated", "times_in": "times in", "refreshes": "this page refreshes itself",
        "open_issues": "Open issues affecting the service", "since": "since", "emergency": "emergency",
        "to": "to", "next": "Next scheduled maintenance", "none_scheduled": "None scheduled.",
        "last_days": "The last {n} days", "daily": "daily status, oldest first", "no_incidents": "No incidents.",
        "ongoing": "ongoing",
    },
    "it": {
        "title": "stato del servizio", "operational": "Tutti i sistemi funzionano",
        "maintenance": "Manutenzione in corso", "degraded": "Servizio degradato", "unavailable": "Servizio non disponibile",
        "none": "non colpito", "updated": "Aggiornato", "times_in": "orari in",
        "refreshes": "la pagina si aggiorna da sola", "open_issues": "Problemi aperti che colpiscono il servizio",
        "since": "dal", "emergency": "urgente", "to": "–", "next": "Prossima manutenzione programmata",
        "none_scheduled": "Nessuna in programma.", "last_days": "Gli ultimi {n} giorni",
        "daily": "stato giorno per giorno, dal più vecchio", "no_incidents": "Nessun problema.", "ongoing": "in corso",
    },
}

_DAYS = {"en": "Mon Tue Wed Thu Fri Sat Sun".split(), "it": "lun mar mer gio ven sab dom".split()}
_MONTHS = {"en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
           "it": "gen feb mar apr mag giu lug ago set ott nov dic".split()}


def words(lang: str | None) -> dict[str, str]:
    return WORDS.get(lang or "en", WORDS["en"])


def local(iso: Any, tz: str, lang: str = "en") -> str:
    """``Tue 15 Dec 2026, 18:30 CET`` (``mar 15 dic 2026, 18:30 CET``), or "ongoing"."""
    if not iso:
        return words(lang)["ongoing"]
    at = datetime.fromisoformat(iso).astimezone(ZoneInfo(tz))
    lg = lang if lang in _DAYS else "en"
    return f"{_DAYS[lg][at.weekday()]} {at.day:02d} {_MONTHS[lg][at.month - 1]} {at.year}, {at:%H:%M} {at.tzname()}"


def day(iso: str, lang: str = "en") -> str:
    d = date.fromisoformat(iso)
    lg = lang if lang in _DAYS else "en"
    return f"{_DAYS[lg][d.weekday()]} {d.day:02d} {_MONTHS[lg][d.month - 1]}"
