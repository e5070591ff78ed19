"""On-call rotations: who of a role is on call at an instant. Pure (no I/O; ``at`` is given).

A role under ``managers:`` may be a rotation instead of a list of users::

    directors:
      rotation: weekly            # daily | weekly | a duration such as "12 hours"
      start: 2026-01-05T09:00     # local time in `timezone`: people[0] is on call from here
      timezone: Europe/Rome
      people: [U0DIR1, U0DIR2, U0DIR3]
      overrides:                  # swaps and holidays; the latest matching entry wins
        - {user: U0DIR3, from: 2026-12-24T00:00, to: 2026-12-27T00:00}

At ``t`` the person on call is ``people[k mod len(people)]`` where period ``k`` holds ``t``,
unless an override covers ``t`` (``from`` <= t < ``to``, local times; the last matching one
wins). Daily and weekly rotations (and durations in days) hand off at the same local
wall-clock time whatever the clocks do in between (a DST change shortens or lengthens that
period by an hour); a duration in hours or minutes is real time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pendulum
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from slackops.policy.durations import parse_duration

__all__ = ["Override", "Rotation", "RotationSpec", "handoffs", "on_call", "parse_local"]

_NAMED = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class Override:
    user: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC


@dataclass(frozen=True)
class Rotation:
    """A validated rotation (:class:`RotationSpec` is the file's shape)."""

    role: str
    people: tuple[str, ...]
    start: datetime  # aware, in ``timezone``
    timezone: str
    days: int = 0  # a wall-clock rotation of this many days
    length: timedelta = timedelta(0)  # or a real-time rotation of this length
    overrides: tuple[Override, ...] = ()
    every: str = ""  # as written: "weekly", "12 hours"

    def period_start(self, k: int) -> datetime:
        """When period ``k`` begins (period 0 at ``start``), in UTC."""
        if self.days:
            return pendulum.instance(self.start).add(days=k * self.days).in_tz("UTC")
        return (self.start + k * self.length).astimezone(UTC)

    def period_of(self, at: datetime) -> int:
        """The period that holds ``at``."""
        span = (self.days * 86400) if self.days else self.length.total_seconds()
        k = math.floor((at - self.start).total_seconds() / span)
        while self.period_start(k + 1) <= at:
            k += 1
        while self.period_start(k) > at:
            k -= 1
        return k


def parse_local(value: Any, tz: str, what: str) -> datetime:
    """A local time as written (``2026-01-05T09:00``) in ``tz``, aware. ValueError otherwise."""
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"{what}: {value!r} is not a local date and time (e.g. 2026-01-05T09:00)") from None
    if dt.tzinfo is not None:
        raise ValueError(f"{what}: {value!r} has a UTC offset; give the local time in the rotation's timezone")
    return pendulum.instance(dt, tz=tz)


def _override(rot: Rotation, at: datetime) -> str | None:
    found = None
    for o in rot.overrides:  # the latest matching entry wins
        if o.start <= at < o.end:
            found = o.user
    return found


def on_call(rot: Rotation, at: datetime) -> str:
    """The person of ``rot`` on call at the aware instant ``at``."""
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} has no time zone")
    at = at.astimezone(UTC)
    who = _override(rot, at)
    if who is not None:
        return who
    return rot.people[rot.period_of(at) % len(rot.people)]


def handoffs(rot: Rotation, at: datetime, count: int = 3) -> list[tuple[datetime, str]]:
    """The next ``count`` changes of who is on call after ``at``: (instant in UTC, who from then)."""
    at = at.astimezone(UTC)
    out: list[tuple[datetime, str]] = []
    current = on_call(rot, at)
    k = rot.period_of(at)
    edges = sorted({e for o in rot.overrides for e in (o.start, o.end) if e > at})
    horizon = 0
    while len(out) < count and horizon < 10_000:
        horizon += 1
        boundary = rot.period_start(k + horizon)
        while edges and edges[0] < boundary:
            edge = edges.pop(0)
            current = _step(rot, edge, current, out)
        current = _step(rot, boundary, current, out)
        if not edges and len(set(rot.people)) == 1 and not out:
            break  # one person, no overrides ahead: nobody else ever comes
    return out[:count]


def _step(rot: Rotation, instant: datetime, current: str, out: list[tuple[datetime, str]]) -> str:
    who = on_call(rot, instant)
    if who != current:
        out.append((instant, who))
    return who


# --------------------------------------------------------------------------- the file's shape

_USER = r"^[UW][A-Z0-9]{2,}$"


def _naive(v: Any) -> str:
    """A local date and time as written (no offset): checked, kept as text."""
    text = v.isoformat() if isinstance(v, datetime) else str(v).strip()
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a local date and time (e.g. 2026-01-05T09:00)") from None
    if dt.tzinfo is not None:
        raise ValueError(f"{text!r} has a UTC offset; give the local time in the rotation's timezone")
    return text


class OverrideSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    user: str = Field(description="a Slack user id")
    from_: str = Field(alias="from", description="local time in the rotation's timezone")
    to: str = Field(description="local time in the rotation's timezone (not included)")

    _user = field_validator("user")(lambda cls, v: _check_user(v))
    _times = field_validator("from_", "to", mode="before")(lambda cls, v: _naive(v))

    @model_validator(mode="after")
    def _order(self) -> OverrideSpec:
        if datetime.fromisoformat(self.to) <= datetime.fromisoformat(self.from_):
            raise ValueError(f"'to' ({self.to}) must come after 'from' ({self.from_})")
        return self


def _check_user(v: str) -> str:
    import re

    if not re.match(_USER, v):
        raise ValueError(f"{v!r} is not a Slack user id")
    return v


class RotationSpec(BaseModel):
    """A role of ``managers:`` that is an on-call rotation."""

    model_config = ConfigDict(extra="forbid")

    rotation: str = Field(description='daily, weekly, or a duration such as "12 hours"')
    timezone: str
    start: str = Field(description="local time in `timezone` from which people[0] is on call")
    people: list[str] = Field(min_length=1)
    overrides: list[OverrideSpec] = Field(default_factory=list)

    _start = field_validator("start", mode="before")(lambda cls, v: _naive(v))

    @field_validator("rotation")
    @classmethod
    def _rotation(cls, v: str) -> str:
        _length(v)
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not an IANA time zone (e.g. Europe/Rome)") from None
        return v

    @field_validator("people")
    @classmethod
    def _people(cls, v: list[str]) -> list[str]:
        for u in v:
            _check_user(u)
        return v

    def everyone(self) -> list[str]:
        """The people and the overrides' users, once each."""
        return list(dict.fromkeys([*self.people, *(o.user for o in self.overrides)]))

    def build(self, role: str) -> Rotation:
        days, length = _length(self.rotation)
        tz = self.timezone
        return Rotation(
            role=role, people=tuple(self.people), start=parse_local(self.start, tz, "start"), timezone=tz,
            days=days, length=length, every=self.rotation,
            overrides=tuple(Override(o.user, parse_local(o.from_, tz, "from").astimezone(UTC),
                                     parse_local(o.to, tz, "to").astimezone(UTC)) for o in self.overrides),
        )


def _length(text: str) -> tuple[int, timedelta]:
    """(whole days on the wall clock, or 0; a real-time length, or 0) of a rotation's period."""

    words = str(text).strip().lower()
    if words in _NAMED:
        return _NAMED[words], timedelta(0)
    try:
        d = parse_duration(words)
    except ValueError:
        raise ValueError(f"{text!r} is not daily, weekly or a duration such as \"12 hours\"") from None
    if d.business:
        raise ValueError(f"{text!r}: a rotation runs on the clock, not on business hours")
    if d.unit == "days":
        if d.amount != int(d.amount) or d.amount < 1:
            raise ValueError(f"{text!r}: a rotation of days takes a whole number of them")
        return int(d.amount), timedelta(0)
    length = d.as_timedelta()
    if length < timedelta(minutes=1):
        raise ValueError(f"{text!r}: a rotation period is a minute or more")
    return 0, length
