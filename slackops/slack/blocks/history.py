"""Customers' history: their account's requests resolved or closed recently (30 days), for
``/support list`` and the Home tab, newest first, with a way to see more."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slackops.notices.due import format_when, slack_date
from slackops.notices.i18n import t
from slackops.notices.text import escape, truncate
from slackops.slack.blocks.card import status_label

__all__ = ["HISTORY_DAYS", "SHOWN", "MORE", "recently_closed", "closed_line"]

HISTORY_DAYS = 30
SHOWN = 5
"""Closed requests shown at first; "show more" lists up to :data:`MORE`."""
MORE = 50


def _ended(req: Any) -> datetime | None:
    return req.closed_at or req.resolved_at


def recently_closed(requests: list[Any], now: datetime, days: int = HISTORY_DAYS) -> list[Any]:
    """Requests resolved or closed in the last ``days`` days, the most recent first."""
    since = now - timedelta(days=days)
    done = [r for r in requests if not r.is_open and (_ended(r) or since) >= since]
    return sorted(done, key=lambda r: _ended(r) or now, reverse=True)


def closed_line(req: Any, *, now: datetime, tz: str, lang: str) -> str:
    status = status_label(req.status, lang)
    how = f" ({t(lang, 'resolution.' + str(req.resolution))})" if req.resolution else ""
    ended = _ended(req)
    when = t(lang, "history.at", when=slack_date(ended, format_when(ended, tz, now, lang))) if ended else ""
    return f"*{req.id}* {escape(truncate(req.title, 120))} — {status}{how}{when}"
