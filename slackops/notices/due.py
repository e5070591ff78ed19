"""The next due checkpoint, in the reader's terms: "first response due 09:30 MST, in 2 h 10 min"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from slackops.notices.i18n import t

if TYPE_CHECKING:
    from slackops.policy import Checkpoint

__all__ = ["CUSTOMER_FACING", "outstanding", "next_due", "is_breached", "format_left", "format_when", "due_line"]

CUSTOMER_FACING = ("first_response", "critical_notice", "update", "workaround", "resolution")
"""Checkpoint kinds shown on the card; escalation steps and auto-upgrades are internal."""


def outstanding(cp: Checkpoint) -> bool:
    """Not done yet and still applies: pending, or breached and never met."""
    return cp.state == "pending" or (cp.state == "breached" and cp.met_at is None)


def next_due(checkpoints: Iterable[Checkpoint], kinds: tuple[str, ...] = CUSTOMER_FACING) -> Checkpoint | None:
    todo = [c for c in checkpoints if c.kind in kinds and outstanding(c)]
    return min(todo, key=lambda c: c.due_at, default=None)


def is_breached(checkpoints: Iterable[Checkpoint]) -> bool:
    return any(c.state == "breached" and c.met_at is None for c in checkpoints if c.kind in CUSTOMER_FACING)


def format_left(delta: timedelta, lang: str = "en") -> str:
    """``2 h 10 min``, ``3 d 4 h``, ``45 min``, ``less than a minute``."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return t(lang, "dur.under_minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    d, h, m = t(lang, "dur.d"), t(lang, "dur.h"), t(lang, "dur.min")
    if days:
        return f"{days} {d} {hours} {h}" if hours else f"{days} {d}"
    if hours:
        return f"{hours} {h} {mins} {m}" if mins else f"{hours} {h}"
    return f"{mins} {m}"


def format_when(at: datetime, tz: str, now: datetime, lang: str = "en") -> str:
    """``09:30 MST`` today (in ``tz``), else ``Tue 24 Nov 09:30 MST``."""
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local.strftime("%H:%M ") + (local.tzname() or "")
    if local.date() == today:
        return clock
    days = t(lang, "dur.weekdays").split()
    months = t(lang, "dur.months").split()
    return f"{days[local.weekday()]} {local.day} {months[local.month - 1]} {clock}"


def slack_date(at: datetime, fallback: str) -> str:
    """Slack renders ``<!date^…>`` in each reader's own zone; ``fallback`` where it cannot."""
    epoch = int(at.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{fallback}>"


def unconfirmed_close(policy: Any, req: Any, lang: str = "en") -> tuple[datetime, datetime, str] | None:
    """(reminder, close, the close as a Slack date token) of a resolved request its customer
    has not confirmed, where its policy closes such requests by itself."""
    resolved_at = getattr(req, "resolved_at", None)
    pair = policy.unconfirmed_close(resolved_at) if resolved_at is not None else None
    if pair is None:
        return None
    remind, close = pair
    return remind, close, slack_date(close, format_when(close, policy.timezone, cast("datetime", resolved_at), lang))


def due_line(cp: Checkpoint | None, *, now: datetime, tz: str, lang: str = "en", per_reader: bool = True) -> str:
    """One line for a checkpoint. The time is a Slack date token, shown in each reader's zone,
    with a fallback in ``tz``; ``per_reader=False`` only where Slack shows text as it is (plain text)."""
    if cp is None:
        return t(lang, "due.none")
    what = t(lang, f"checkpoint.{cp.kind}")
    when = format_when(cp.due_at, tz, now, lang)
    if per_reader:
        when = slack_date(cp.due_at, when)
    left = cp.due_at - now
    if left.total_seconds() >= 0 and cp.state == "pending":
        return t(lang, "due.next", what=what, when=when, left=format_left(left, lang))
    return t(lang, "due.breached", what=what, when=when, ago=format_left(left, lang))
