"""Durations as people write them in support policies: "4 business hours", "5 calendar days".

A `Duration` only says what was promised; a `Calendar` (slackops.policy.calendar) turns it
into an instant with `Calendar.add_duration`:

- ``N business|working seconds|minutes|hours``: open calendar time only;
- ``N business|working days``: N x the calendar's working-day length, in open time;
- ``N seconds|minutes|hours``: real elapsed time (DST does not shift it);
- ``N days|calendar days``: the same local wall-clock time N days later.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

__all__ = ["Duration", "parse_duration", "UNITS"]

Unit = Literal["seconds", "minutes", "hours", "days"]

UNITS: tuple[str, ...] = ("seconds", "minutes", "hours", "days")

_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

# Every spelling accepted for a unit (lower case).
_UNIT_WORDS = {
    "second": "seconds", "seconds": "seconds", "sec": "seconds", "secs": "seconds", "s": "seconds",
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours", "h": "hours",
    "day": "days", "days": "days",
}
_QUALIFIERS = {"business": "business", "working": "working", "work": "working", "calendar": "calendar"}

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "twenty-four": 24, "thirty": 30,
}

# "4 business hours", "1.5 hours", "eight (8) hours", "5 calendar-days"
_PATTERN = re.compile(
    r"""^\s*
    (?:(?P<word>[a-z]+(?:-[a-z]+)?)\s*(?:\(\s*(?P<paren>\d+(?:\.\d+)?)\s*\))?
      |(?P<number>\d+(?:\.\d+)?|\.\d+))
    \s*(?P<rest>.*?)\s*$""",
    re.VERBOSE | re.IGNORECASE,
)

# The phrases a suggestion may offer (after the number).
_PHRASES = [
    f"{q}{u}"
    for u in ("seconds", "minutes", "hours", "days", "second", "minute", "hour", "day")
    for q in ("", "business ", "working ")
] + ["calendar days", "calendar day"]


@dataclass(frozen=True)
class Duration:
    """A span of time as a policy states it.

    ``amount`` in ``unit``; ``business`` when only open calendar time counts ("business" or
    "working"); ``calendar_days`` for non-business days ("3 days", "5 calendar days"), which
    are counted on the wall clock; ``text`` the words as written.
    """

    amount: float
    unit: Unit
    business: bool = False
    calendar_days: bool = False
    text: str = ""

    def __post_init__(self) -> None:
        if self.unit not in _UNIT_SECONDS:
            raise ValueError(f"{self.unit!r} is not a unit (use one of {', '.join(UNITS)})")
        if self.amount < 0:
            raise ValueError(f"a duration cannot be negative ({self.amount} {self.unit})")
        if self.calendar_days and (self.business or self.unit != "days"):
            raise ValueError("calendar_days applies only to non-business days")
        if not self.text:
            object.__setattr__(self, "text", self._words())

    def __str__(self) -> str:
        return self.text

    @property
    def is_wall_clock(self) -> bool:
        """True for "N days" / "N calendar days": counted on the local wall clock."""
        return self.unit == "days" and not self.business

    def scaled(self, fraction: float) -> Duration:
        """This duration times ``fraction`` (for warn_at), e.g. 0.75 x "4 business hours"."""
        if fraction < 0:
            raise ValueError(f"a fraction cannot be negative ({fraction})")
        return Duration(
            self.amount * fraction, self.unit, self.business, self.calendar_days,
            text=Duration(self.amount * fraction, self.unit, self.business,
                          self.calendar_days, text="-")._words(),
        )

    def as_timedelta(self, working_day: timedelta | None = None) -> timedelta:
        """The length of this duration; business days need the calendar's ``working_day``.

        Non-business days give ``amount`` x 24 h, their nominal length (the wall-clock
        length may differ by an hour across a DST change: use ``Calendar.add_duration``).
        """
        if self.unit == "days" and self.business:
            if working_day is None:
                raise ValueError(f'"{self.text}" needs a calendar to know how long a working day is')
            return working_day * self.amount
        return timedelta(seconds=self.amount * _UNIT_SECONDS[self.unit])

    def _words(self) -> str:
        number = _format_number(self.amount)
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        if self.business:
            return f"{number} business {unit}"
        return f"{number} {unit}"


def _format_number(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def parse_duration(text: str) -> Duration:
    """Parse what people write: "2 hours", "4 business hours", "1 working day", "5 calendar days".

    Raises ValueError with a plain reason, and a suggestion when the words are close:
    ``"4 bussiness hours" is not a duration (try "4 business hours")``.
    """
    if isinstance(text, Duration):
        return text
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(f'{text!r} is not a duration (write it in words, e.g. "4 business hours")')
    original = text
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        raise ValueError('an empty text is not a duration (e.g. "4 business hours")')
    if cleaned.startswith("-"):
        raise ValueError(f'"{original}" is not a duration (it cannot be negative)')
    m = _PATTERN.match(cleaned)
    amount: float | None = None
    rest = cleaned
    if m:
        if m.group("number") is not None:
            amount = float(m.group("number"))
            rest = m.group("rest")
        elif m.group("paren") is not None:  # "eight (8) hours": the figure wins
            amount = float(m.group("paren"))
            rest = m.group("rest")
        elif m.group("word") and m.group("word").lower() in _NUMBER_WORDS:
            amount = float(_NUMBER_WORDS[m.group("word").lower()])
            rest = m.group("rest")
    if amount is None:
        hint = _suggest_phrase(cleaned)
        example = f"4 {hint}" if hint else "4 business hours"
        raise ValueError(f'"{original}" is not a duration (it needs a number first, e.g. "{example}")')

    words = rest.lower().replace("-", " ").split()
    qualifier: str | None = None
    unit: str | None = None
    if len(words) == 1:
        unit = _UNIT_WORDS.get(words[0])
    elif len(words) == 2 and words[0] in _QUALIFIERS:
        qualifier = _QUALIFIERS[words[0]]
        unit = _UNIT_WORDS.get(words[1])
    if unit is None:
        raise ValueError(_not_a_duration(original, amount, rest))
    if qualifier == "calendar" and unit != "days":
        raise ValueError(
            f'"{original}" is not a duration ("calendar" goes with days; '
            f'try "{_format_number(amount)} {unit}")'
        )
    business = qualifier in ("business", "working")
    return Duration(
        amount=amount,
        unit=unit,  # type: ignore[arg-type]
        business=business,
        calendar_days=(unit == "days" and not business),
        text=cleaned,
    )


def _suggest_phrase(words: str) -> str | None:
    close = difflib.get_close_matches(words.lower(), _PHRASES, n=1, cutoff=0.6)
    return close[0] if close else None


def _not_a_duration(original: str, amount: float, rest: str) -> str:
    if not rest:
        return (f'"{original}" is not a duration (a number needs a unit: seconds, minutes, '
                f'hours or days, e.g. "{_format_number(amount)} business hours")')
    phrase = _suggest_phrase(" ".join(rest.lower().replace("-", " ").split()))
    if phrase:
        # agree with the number: "1 business day", "4 business hours"
        if amount == 1 and phrase.endswith("s"):
            phrase = phrase[:-1]
        elif amount != 1 and not phrase.endswith("s"):
            phrase += "s"
        return f'"{original}" is not a duration (try "{_format_number(amount)} {phrase}")'
    return (f'"{original}" is not a duration (use a number and a unit, optionally "business" or '
            f'"working": e.g. "4 hours", "4 business hours", "1 working day", "5 calendar days")')
