"""Uptime and service credits per account and month (pure: ``now`` and data in, no I/O).

Downtime is the time during which a service-affecting request with impact "unavailable" was
open: from its submission ("measured from the time the trouble ticket is opened by the
Customer") to its resolution, or until ``now`` while it is open; an agent's correction
(``downtime_corrected``) replaces either end. Overlapping intervals are merged, then the
maintenance the policy excludes is taken out ("scheduled maintenance", and "emergency
maintenance" where the policy's ``uptime.excludes`` names it). The month is the calendar
month in the policy's zone; a month still running is measured up to ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["Downtime", "month_bounds", "merge", "subtract", "downtime_of", "monthly"]

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Downtime:
    start: datetime
    end: datetime
    requests: tuple[str, ...] = ()
    corrected: bool = False


@dataclass
class Month:
    account: str
    month: str
    start: datetime
    end: datetime
    partial: bool
    downtime: list[Downtime] = field(default_factory=list)
    excluded_minutes: float = 0.0
    target_percent: float | None = None
    credit_percent: float | None = None
    credit_default: bool = False

    @property
    def period_minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    @property
    def downtime_minutes(self) -> float:
        return sum((d.end - d.start).total_seconds() for d in self.downtime) / 60

    @property
    def uptime_percent(self) -> float:
        if self.period_minutes <= 0:
            return 100.0
        return 100.0 * (self.period_minutes - self.downtime_minutes) / self.period_minutes

    @property
    def met(self) -> bool | None:
        return None if self.target_percent is None else self.uptime_percent >= self.target_percent

    def to_json(self) -> dict[str, Any]:
        return {
            "account": self.account, "month": self.month, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "partial": self.partial, "period_minutes": round(self.period_minutes, 3),
            "downtime_minutes": round(self.downtime_minutes, 3), "excluded_maintenance_minutes": round(self.excluded_minutes, 3),
            "uptime_percent": round(self.uptime_percent, 4), "target_percent": self.target_percent, "met": self.met,
            "credit_percent": self.credit_percent, "credit_default": self.credit_default,
            "downtime": [{"start": d.start.isoformat(), "end": d.end.isoformat(), "requests": list(d.requests),
                          "minutes": round((d.end - d.start).total_seconds() / 60, 3), "corrected": d.corrected}
                         for d in self.downtime],
        }


def month_bounds(month: str, tz: str) -> tuple[datetime, datetime]:
    """``2026-11`` -> its first and the next month's first instant at local midnight in ``tz``."""
    try:
        y, m = (int(x) for x in month.split("-"))
        first = datetime(y, m, 1, tzinfo=ZoneInfo(tz))
    except ValueError:
        raise ValueError(f"{month!r} is not a month (YYYY-MM)") from None
    nxt = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=ZoneInfo(tz))
    return first.astimezone(UTC), nxt.astimezone(UTC)


def merge(spans: list[tuple[datetime, datetime, tuple[str, ...], bool]]) -> list[Downtime]:
    """Overlapping or touching intervals become one (naming every request in it)."""
    out: list[Downtime] = []
    for s, e, ids, corrected in sorted(spans, key=lambda x: (x[0], x[1])):
        if e <= s:
            continue
        if out and s <= out[-1].end:
            last = out[-1]
            out[-1] = Downtime(last.start, max(last.end, e), tuple(sorted(set(last.requests) | set(ids))),
                               last.corrected or corrected)
        else:
            out.append(Downtime(s, e, tuple(ids), corrected))
    return out


def subtract(downtime: list[Downtime], holes: list[Span]) -> tuple[list[Downtime], float]:
    """``downtime`` minus ``holes``; and the minutes taken out."""
    out: list[Downtime] = []
    taken = 0.0
    for d in downtime:
        pieces = [(d.start, d.end)]
        for hs, he in holes:
            nxt = []
            for s, e in pieces:
                if he <= s or hs >= e:
                    nxt.append((s, e))
                    continue
                taken += (min(e, he) - max(s, hs)).total_seconds() / 60
                if s < hs:
                    nxt.append((s, hs))
                if he < e:
                    nxt.append((he, e))
            pieces = nxt
        out += [Downtime(s, e, d.requests, d.corrected) for s, e in pieces]
    return out, taken


def downtime_of(req: Any, impact: str | None, now: datetime, since: str = "submission",
                ) -> tuple[datetime, datetime, tuple[str, ...], bool] | None:
    """A request's downtime interval (None if it is not "unavailable"). ``since``: the
    policy's ``uptime.downtime_from``, submission or when an agent recorded the impact."""
    if impact != "unavailable":
        return None
    fields = req.fields or {}
    fix = fields.get("downtime") or {}
    recorded = fields.get("unavailable_since") if since == "impact_recorded" else None
    began = fix.get("start") or recorded
    start = datetime.fromisoformat(began) if began else req.submitted_at
    end_at = req.resolved_at or req.closed_at
    end = datetime.fromisoformat(fix["end"]) if fix.get("end") else (end_at if end_at else now)
    return start, min(end, now), (req.id,), bool(fix)


def monthly(account: Any, policy: Any, requests: list[tuple[Any, str | None]], maintenance: list[Any],
            month: str, now: datetime) -> Month:
    """The account's uptime for ``month``: ``requests`` are (request, impact) pairs."""
    start, end = month_bounds(month, policy.timezone)
    partial = now < end
    end = min(end, max(now, start))
    u = policy.uptime
    excludes = tuple(x.lower() for x in (u.excludes if u is not None else ("scheduled maintenance",)))
    spans = []
    for req, impact in requests:
        d = downtime_of(req, impact, now, u.downtime_from if u is not None else "submission")
        if d is not None and d[1] > start and d[0] < end:
            spans.append((max(d[0], start), min(d[1], end), d[2], d[3]))
    holes = [(max(m.start, start), min(m.end, end)) for m in maintenance
             if m.status == "scheduled" and m.affects(account.id) and m.start < end and m.end > start
             and (("emergency maintenance" in excludes) if m.emergency else ("scheduled maintenance" in excludes))]
    downtime, taken = subtract(merge(spans), holes)
    out = Month(account=account.id, month=month, start=start, end=end, partial=partial, downtime=downtime,
                excluded_minutes=taken)
    if u is not None:
        out.target_percent = u.target_percent
        out.credit_percent = u.credit_for(out.uptime_percent)
        out.credit_default = u.credits_default
    return out


def previous_month(now: datetime, tz: str) -> str:
    local = now.astimezone(ZoneInfo(tz))
    first = local.replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def this_month(now: datetime, tz: str) -> str:
    local = now.astimezone(ZoneInfo(tz))
    return f"{local.year:04d}-{local.month:02d}"
