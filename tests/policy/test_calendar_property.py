"""Calendar.add / elapsed / next_open against a brute-force minute-counting reference.

The reference walks minute by minute in UTC and reads each minute's local wall clock.
An interval of a local date runs from the first minute whose wall clock reads its start
(or later) to the first minute whose wall clock reads its end (or later): that is the calendars' rule
(docs/policy.md) in plain words (a time in a DST gap moves forward to the first valid instant, an
ambiguous one takes its first occurrence). A minute is open when some interval of a date
that is neither a public holiday nor a closure covers it. Then open time is counted by
counting open minutes.
"""

from __future__ import annotations

import functools
import os
from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackops.policy.calendar import Calendar

MINUTE = timedelta(minutes=1)
PAD_DAYS = 2  # walk from two days before the start, so intervals already running are seen
SPAN_DAYS = 12  # and this many days after it
# A deeper hunt by hand: CALENDAR_EXAMPLES=2000 python3 -m pytest tests/policy/test_calendar_property.py
EXAMPLES = int(os.environ.get("CALENDAR_EXAMPLES", "120"))

# Zones with DST in both directions (Lord Howe moves by 30 minutes), and one without.
ANCHORS = {
    "America/Denver": [date(2026, 3, 8), date(2026, 11, 1)],
    "Europe/Rome": [date(2026, 3, 29), date(2026, 10, 25)],
    "Australia/Lord_Howe": [date(2026, 4, 5), date(2026, 10, 4)],
    "Asia/Seoul": [date(2026, 9, 24)],
}
# Around 02:00, where the clocks change, plus anything at all.
EDGY_MINUTES = [0, 60, 90, 120, 125, 150, 170, 180, 210, 1380, 1410]


@functools.cache
def holiday_dates(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays_package.country_holidays(country, years=year))


def minute_of_day(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


@st.composite
def calendar_specs(draw):
    zone = draw(st.sampled_from(sorted(ANCHORS)))
    clock = st.one_of(st.sampled_from(EDGY_MINUTES), st.integers(0, 1439))
    week: dict[int, list[tuple[str, str]]] = {}
    for day in range(7):
        intervals = []
        for _ in range(draw(st.integers(0, 2))):
            start = draw(clock)
            end = draw(st.one_of(clock, st.just(1440)))
            if end == start and draw(st.booleans()):
                end = (start + 30) % 1440  # mostly avoid whole-day intervals
            end_text = "24:00" if end == 1440 else f"{end // 60:02d}:{end % 60:02d}"
            intervals.append((f"{start // 60:02d}:{start % 60:02d}", end_text))
        week[day] = intervals
    if not any(week.values()):
        week[draw(st.integers(0, 6))] = [("09:00", "17:00")]
    country = draw(st.sampled_from([None, "US", "IT", "KR"]))
    anchor = draw(st.one_of(st.sampled_from(ANCHORS[zone]), st.sampled_from([date(2026, 12, 30)])))
    closures = []
    for _ in range(draw(st.integers(0, 2))):
        first = anchor + timedelta(days=draw(st.integers(-3, 10)))
        closures.append((first, first + timedelta(days=draw(st.integers(0, 4)))))
    return zone, week, country, closures, anchor


def utc(at: datetime) -> datetime:
    # An aware datetime whose wall time is ambiguous never compares equal to one in another
    # zone (PEP 495), so compare instants in UTC.
    return at.astimezone(UTC)


class Reference:
    """Open minutes of a calendar over a window, found the slow and obvious way."""

    def __init__(self, zone: str, week, country, closures, first: datetime, minutes: int):
        tz = ZoneInfo(zone)
        self.first = first
        walls = [(first + k * MINUTE).astimezone(tz).replace(tzinfo=None) for k in range(minutes + 1)]
        latest = []  # latest[k]: the latest wall-clock reading up to minute k (never decreases)
        for wall in walls:
            latest.append(wall if not latest or wall > latest[-1] else latest[-1])

        def closed(day: date) -> bool:
            if country and day in holiday_dates(country, day.year):
                return True
            return any(a <= day <= b for a, b in closures)

        self.open = [False] * minutes
        day = walls[0].date() - timedelta(days=1)
        while day <= walls[-1].date():
            if not closed(day):
                midnight = datetime(day.year, day.month, day.day)
                for start, end in week[day.weekday()]:
                    s, e = minute_of_day(start), minute_of_day(end)
                    if e <= s:
                        e += 1440  # crosses midnight
                    begin = bisect_left(latest, midnight + timedelta(minutes=s))
                    until = bisect_left(latest, midnight + timedelta(minutes=e))
                    for k in range(begin, min(until, minutes)):
                        self.open[k] = True
            day += timedelta(days=1)

    def at(self, k: int) -> datetime:
        return self.first + k * MINUTE

    def add(self, k: int, amount: int) -> int | None:
        """Minute index reached after `amount` open minutes from minute k (None: off the end)."""
        if amount == 0:
            return next((j for j in range(k, len(self.open)) if self.open[j]), None)
        counted = 0
        for j in range(k, len(self.open)):
            counted += self.open[j]
            if counted == amount:
                return j + 1  # the end of the minute that completes it
        return None

    def elapsed(self, k: int, m: int) -> int:
        return sum(self.open[k:m])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=calendar_specs(), data=st.data())
def test_add_and_elapsed_match_minute_counting(spec, data):
    zone, week, country, closures, anchor = spec
    calendar = Calendar("random", zone, week, holidays=(country, None) if country else None,
                        closures=closures)
    first = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC) - timedelta(days=PAD_DAYS + 1)
    total = (PAD_DAYS + 1 + SPAN_DAYS) * 1440
    ref = Reference(zone, week, country, closures, first, total)

    k = data.draw(st.integers((PAD_DAYS + 1) * 1440 - 1440, (PAD_DAYS + 3) * 1440), label="start")
    start = ref.at(k).astimezone(ZoneInfo(data.draw(st.sampled_from(["UTC", zone]), label="given in")))

    # is_open / next_open
    assert calendar.is_open(start) == ref.open[k]
    reached = ref.add(k, 0)
    if reached is not None:
        assert utc(calendar.next_open(start)) == ref.at(reached)

    # add: any whole number of open minutes that the window holds
    available = ref.elapsed(k, total)
    amount = data.draw(st.integers(0, available), label="open minutes")
    reached = ref.add(k, amount)
    if reached is not None:
        due = calendar.add(start, amount * MINUTE)
        assert utc(due) == ref.at(reached), (amount, ref.at(reached).astimezone(ZoneInfo(zone)), due)
        assert due.tzinfo == ZoneInfo(zone)
        # inverse: the open time up to the deadline is what was added
        assert calendar.elapsed(start, due) == amount * MINUTE

    # elapsed between two instants
    m = data.draw(st.integers(k, total), label="end")
    end = ref.at(m)
    spent = calendar.elapsed(start, end)
    assert spent == ref.elapsed(k, m) * MINUTE
    assert calendar.elapsed(end, start) == -spent
    # inverse: adding it back never overshoots, and lands on `end` when the minute before
    # `end` was open (otherwise it lands on the earlier closing time)
    back = calendar.add(start, spent)
    assert utc(back) <= end or (spent == timedelta(0) and back == calendar.next_open(start))
    if m > k and ref.open[m - 1]:
        assert utc(back) == end


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(spec=calendar_specs(), data=st.data())
def test_intervals_add_up_to_elapsed(spec, data):
    zone, week, country, closures, anchor = spec
    calendar = Calendar("random", zone, week, holidays=(country, None) if country else None,
                        closures=closures)
    base = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC) - timedelta(days=2)
    start = base + data.draw(st.integers(0, 4 * 1440)) * MINUTE
    end = start + data.draw(st.integers(0, 6 * 1440)) * MINUTE
    pieces = list(calendar.intervals(start, end))
    # (subtract in UTC: within one zone Python subtracts wall clocks)
    assert sum((utc(b) - utc(a) for a, b in pieces), timedelta(0)) == calendar.elapsed(start, end)
    for (a, b), (c, _) in zip(pieces, pieces[1:], strict=False):
        assert a < b <= c
    for a, _ in pieces:
        assert calendar.is_open(a)
