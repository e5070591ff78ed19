"""The vocabulary of a policy: its error, the kinds of target and checkpoint, the
languages it may answer in, and the small text parsers the policy file's schema uses
(durations, time zones, opening hours, days, closures)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slackops.errors import ConfigError
from slackops.policy.durations import parse_duration


class PolicyError(ConfigError):
    """A policy file or a question to a policy is invalid: ``file: path.to.field: reason``."""


#: The targets a priority may carry, in the order they are shown.
TARGET_KINDS: tuple[str, ...] = (
    "first_response",
    "update_every",
    "update",
    "workaround",
    "resolution",
    "critical_notice",
)

#: The kinds of checkpoint a timeline holds.
CHECKPOINT_KINDS: tuple[str, ...] = (
    "first_response",
    "update",
    "workaround",
    "resolution",
    "critical_notice",
    "escalation",
    "auto_upgrade",
)

LANGUAGES: tuple[str, ...] = ("en", "it")

#: Sent to the customer's contacts when a critical-notice target falls due and no agent sent one.
DEFAULT_CRITICAL_NOTICE_TEXT: dict[str, str] = {
    "en": (
        "We are aware of a critical issue affecting the service and our support team is "
        "working on it now. We will keep you informed in this thread until it is resolved."
    ),
    "it": (
        "Siamo a conoscenza di un problema critico che interessa il servizio e il nostro "
        "team di supporto ci sta lavorando ora. Vi terremo aggiornati in questo thread "
        "fino alla risoluzione."
    ),
}

_DAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_INTERVAL = re.compile(r"^\s*(\S+?)\s*(?:-|–|—|to)\s*(\S+)\s*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_DATE_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|\s+to\s+)\s*(\d{4}-\d{2}-\d{2})\s*$")


# --------------------------------------------------------------------------- validators


def _check_duration(value: Any) -> str:
    """Keep the words as written, but only if they are a duration."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f'{value!r} is not a duration (write the unit too, e.g. "{value} hours")')
    parse_duration(value)  # ValueError with a plain reason and a suggestion
    return str(value).strip()


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Denver, Europe/Rome)") from None
    return value


def parse_hhmm(text: str, *, end: bool = False) -> str:
    m = _HHMM.match(text.strip())
    if not m or (m.group(1) == "24" and (m.group(2) != "00" or not end)):
        raise ValueError(f"{text!r} is not a time of day (HH:MM, 00:00 to 24:00)")
    return text.strip()


def parse_interval(text: str) -> tuple[str, str]:
    """ "09:00-13:00" -> ("09:00", "13:00"); an end of 24:00 or one before the start (overnight) is allowed."""
    if not isinstance(text, str):
        raise ValueError(f'{text!r} is not an opening interval (write "09:00-13:00")')
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f'{text!r} is not an opening interval (write "09:00-13:00")')
    start, stop = parse_hhmm(m.group(1)), parse_hhmm(m.group(2), end=True)
    if start == stop:
        raise ValueError(f"{text!r} is empty (it starts and ends at the same time)")
    return start, stop


def parse_days(key: str) -> list[int]:
    """ "mon-fri" -> [0..4]; "sat" -> [5]; "mon,wed" -> [0, 2]."""
    days: list[int] = []
    for part in str(key).lower().replace(" ", "").split(","):
        if "-" in part or ".." in part:
            a, b = re.split(r"-|\.\.", part, maxsplit=1)
            if a not in _DAYS or b not in _DAYS:
                raise ValueError(f"{key!r} is not a day or a range of days (e.g. mon-fri)")
            i, j = _DAYS[a], _DAYS[b]
            days.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in _DAYS:
            days.append(_DAYS[part])
        else:
            raise ValueError(f"{key!r} is not a day or a range of days (e.g. mon-fri)")
    return days


def parse_closure(text: Any) -> date | tuple[date, date]:
    """ "2026-08-10" or "2026-08-10..2026-08-28" (a date range, both days closed)."""
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    s = str(text).strip()
    m = _DATE_RANGE.match(s)
    try:
        if m:
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            if last < first:
                raise ValueError(f"{s!r}: the range ends before it starts")
            return (first, last)
        return date.fromisoformat(s)
    except ValueError as e:
        if "ends before" in str(e):
            raise
        raise ValueError(
            f"{s!r} is not a closure (a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD)"
        ) from None


def _names(names: Iterable[str], wrong: str) -> str:
    names = sorted(names)
    close = difflib.get_close_matches(wrong, names, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" ({', '.join(names)})" if names else ""


def timedelta_words(td: timedelta, *, days: bool = True, coarse: bool = False) -> str:
    """ "1 h 30 min", "2 d 3 h", "45 s" (``days=False``: "51 h", for open time).
    ``coarse``: how long for people in a notice, unsigned, to the minute ("3 d 4 h",
    "2 h 5 min"; seconds only under a minute). The one duration formatter of the desk."""
    secs = int(round(td.total_seconds()))
    sign = "-" if secs < 0 and not coarse else ""
    secs = abs(secs)
    d, rem = divmod(secs, 86400) if days else (0, secs)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    parts = []
    if d:
        parts.append(f"{d} d")
    if h:
        parts.append(f"{h} h")
    if m and not (coarse and d):
        parts.append(f"{m} min")
    if (s and not coarse) or not parts:
        parts.append(f"{s} s")
    return sign + " ".join(parts)
