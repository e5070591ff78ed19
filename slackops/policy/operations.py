"""The service side of a policy: when maintenance may happen and with how much notice,
and the uptime it promises with the credits it owes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from slackops.policy.calendar import Calendar
from slackops.policy.durations import Duration


@dataclass(frozen=True)
class Maintenance:
    """When planned maintenance may happen without notice, and how much notice it needs otherwise."""

    window: tuple[time, time] | None = None
    timezone: str = "UTC"
    window_calendar: Calendar | None = None
    notice_inside_window: bool = False
    notice_outside_window: Duration | None = None
    emergency_any_time: bool = True
    reminders: tuple[Duration, ...] = ()
    """How long before a maintenance starts the customer is reminded of it (24 h and 1 h by default)."""

    def in_window(self, at: datetime) -> bool:
        """Is ``at`` inside the maintenance window (a wall-clock window may cross midnight)?"""
        if self.window_calendar is not None:
            return self.window_calendar.is_open(at)
        if self.window is None:
            return False
        t = at.astimezone(ZoneInfo(self.timezone)).time().replace(tzinfo=None)
        start, end = self.window
        if start < end or end == time(0):
            return start <= t and (end == time(0) or t < end)
        return t >= start or t < end

    def notice_needed(self, start: datetime, *, emergency: bool = False) -> Duration | None:
        """The advance notice owed for maintenance starting at ``start`` (None: no notice needed)."""
        if emergency and self.emergency_any_time:
            return None
        if self.in_window(start) and not self.notice_inside_window:
            return None
        return self.notice_outside_window


@dataclass(frozen=True)
class Credit:
    """A month under ``below`` percent uptime is credited ``credit_percent`` of its fee."""

    below: float
    credit_percent: float


@dataclass(frozen=True)
class Uptime:
    target_percent: float
    period: str = "monthly"
    excludes: tuple[str, ...] = ()
    downtime_from: str = "submission"
    credits: tuple[Credit, ...] = ()  # highest ``below`` first
    credits_default: bool = False

    def credit_for(self, uptime_percent: float) -> float:
        """Percent of the monthly fee credited for a month at ``uptime_percent``."""
        owed = 0.0
        for c in self.credits:
            if uptime_percent < c.below:
                owed = max(owed, c.credit_percent)
        return owed
