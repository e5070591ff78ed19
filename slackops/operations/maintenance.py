"""Planned maintenance, judged against each affected account's policy (no I/O).

A maintenance inside the policy's window needs no notice; outside it, it must be scheduled
at least the policy's notice period ahead (Interopion: 7 days), unless it is an emergency
(allowed any time, announced at once). Its notices (stages) are: ``scheduled`` when it is
recorded or changed, a reminder ahead of the start for each of the policy's
``maintenance.reminders`` that is still ahead, ``start``, ``end``, and ``cancelled``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slackops.errors import DomainError
from slackops.policy.durations import parse_duration

__all__ = ["IMPACTS", "DEFAULT_REMINDERS", "Maintenance", "Stage", "refusal", "fits_window", "stages"]

IMPACTS = ("none", "degraded", "unavailable")
DEFAULT_REMINDERS = (parse_duration("24 hours"), parse_duration("1 hour"))
"""Reminders for an account whose policy has no ``maintenance`` block."""

PAST_GRACE = timedelta(minutes=5)
"""A maintenance may start this far in the past (an emergency recorded as it begins)."""


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat() if at else None


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


@dataclass(frozen=True)
class Maintenance:
    """One maintenance as recorded; ``accounts`` None means every account."""

    id: str
    start: datetime
    end: datetime
    impact: str = "unavailable"
    accounts: tuple[str, ...] | None = None
    emergency: bool = False
    note: str = ""
    status: str = "scheduled"  # scheduled | cancelled
    version: int = 1
    created_by: str = ""
    created_at: datetime | None = None
    changed_at: datetime | None = None
    history: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    def affects(self, account: str) -> bool:
        return self.accounts is None or account in self.accounts

    def in_progress(self, now: datetime) -> bool:
        return self.status == "scheduled" and self.start <= now < self.end

    def to_json(self) -> str:
        d = asdict(self)
        for k in ("start", "end", "created_at", "changed_at"):
            d[k] = _iso(getattr(self, k))
        d["accounts"] = list(self.accounts) if self.accounts is not None else None
        d["history"] = list(self.history)
        return json.dumps(d, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Maintenance:
        d = json.loads(raw)
        for k in ("start", "end", "created_at", "changed_at"):
            d[k] = _dt(d.get(k))
        d["accounts"] = tuple(d["accounts"]) if d.get("accounts") is not None else None
        d["history"] = tuple(d.get("history") or ())
        return cls(**d)

    def public(self, tz: str | None = None) -> dict[str, Any]:
        """What a customer may see (the status page, its JSON)."""
        zone = ZoneInfo(tz) if tz else UTC
        return {"id": self.id, "start": self.start.astimezone(zone).isoformat(),
                "end": self.end.astimezone(zone).isoformat(), "impact": self.impact,
                "emergency": self.emergency, "note": self.note, "status": self.status}

    def changed(self, now: datetime, by: str, reason: str = "", **changes: Any) -> Maintenance:
        entry = {"at": _iso(now), "by": by, "version": self.version + 1, **({"reason": reason} if reason else {}),
                 **{k: (_iso(v) if isinstance(v, datetime) else v) for k, v in changes.items()}}
        return replace(self, version=self.version + 1, changed_at=now, history=self.history + (entry,), **changes)


def check_times(start: datetime, end: datetime, impact: str, now: datetime) -> None:
    """Refuse what no policy could accept: naive times, an end before the start, the past."""
    for name, at in (("start", start), ("end", end)):
        if at.tzinfo is None or at.utcoffset() is None:
            raise DomainError(f"the {name} {at.isoformat()} has no time zone (write e.g. 2026-05-04T20:00-06:00)")
    if end <= start:
        raise DomainError("a maintenance must end after it starts")
    if end <= now:
        raise DomainError("that maintenance would already be over")
    if start < now - PAST_GRACE:
        raise DomainError("a maintenance cannot start in the past (record an emergency as it begins)")
    if impact not in IMPACTS:
        raise DomainError(f"{impact!r} is not an impact ({', '.join(IMPACTS)})")


def _next_exit(window: tuple[time, time], tz: str, at: datetime) -> datetime:
    """The next instant after ``at`` at which the wall-clock window closes."""
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    end = window[1]
    exit_ = datetime.combine(local.date(), end, zone)
    if exit_ <= local:
        exit_ += timedelta(days=1)
    return exit_.astimezone(UTC)


def fits_window(policy_maintenance: Any, start: datetime, end: datetime) -> bool:
    """Does the whole maintenance (start to end) lie inside the policy's window?"""
    m = policy_maintenance
    if m is None or not m.in_window(start):
        return False
    if m.window_calendar is not None:
        open_time = m.window_calendar.elapsed(start, end)
        return abs((end - start) - open_time) < timedelta(seconds=1)
    if m.window is None:
        return False
    return end <= _next_exit(m.window, m.timezone, start)


def refusal(policy: Any, start: datetime, end: datetime, emergency: bool, now: datetime,
            tz: str | None = None) -> str | None:
    """Why ``policy`` does not allow this maintenance now (None: it does).

    Inside the window no notice is owed; outside it the policy's notice period applies
    (the earliest allowed start is named); an emergency is allowed any time where the
    policy says so."""
    m = policy.maintenance
    if m is None:
        return None
    if emergency and m.emergency_any_time:
        return None
    if fits_window(m, start, end) and not m.notice_inside_window:
        return None
    needed = m.notice_outside_window
    if needed is None:
        return None  # no notice period: the policy sets no limit
    earliest = policy.calendars["default"].add_duration(now, needed)
    if start >= earliest:
        return None
    zone = ZoneInfo(tz or policy.timezone)
    where = ""
    if m.window is not None:
        where = f" or inside the maintenance window ({m.window[0]:%H:%M}–{m.window[1]:%H:%M} {m.timezone})"
    elif m.window_calendar is not None:
        where = f" or inside the maintenance window ({m.window_calendar.describe()})"
    return (f"{policy.title} needs {needed.text} notice of maintenance outside its window: "
            f"the earliest allowed start is {earliest.astimezone(zone):%Y-%m-%d %H:%M %Z}{where}, "
            "unless it is an emergency")


@dataclass(frozen=True, order=True)
class Stage:
    """One notice owed for a maintenance to one account, at an instant."""

    at: datetime
    name: str  # scheduled | reminder:<words> | start | end | cancelled
    account: str = ""

    def member(self, m: Maintenance) -> str:
        return f"{m.id}|v{m.version}|{self.account}|{self.name}"


def stages(m: Maintenance, account: str, reminders: tuple[Any, ...], now: datetime) -> list[Stage]:
    """The notices owed to ``account`` for ``m`` as it stands, judged at ``now`` (its last change)."""
    if m.status == "cancelled":
        return [] if m.end <= now else [Stage(now, "cancelled", account)]
    out = [Stage(now, "scheduled", account)]
    for d in reminders:
        at = m.start - d.as_timedelta()
        if at > now:
            out.append(Stage(at, f"reminder:{d.text}", account))
    if m.start >= now:
        out.append(Stage(m.start, "start", account))
    out.append(Stage(max(m.end, now), "end", account))
    return sorted(out)


def parse_member(member: str) -> tuple[str, int, str, str]:
    """``MNT-3|v2|acme|start`` -> ("MNT-3", 2, "acme", "start")."""
    mid, ver, account, name = member.split("|", 3)
    return mid, int(ver[1:]), account, name
