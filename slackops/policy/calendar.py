"""Business calendars: weekly opening hours in a time zone, public holidays and closures.

The arithmetic follows the time semantics in docs/policy.md exactly:

- open time is REAL elapsed time inside open intervals (a wall-clock 01:00-03:00 interval
  on a spring-forward night holds 1 h);
- an instant while closed starts counting at the next opening; ``add(start, 0)`` is
  ``next_open(start)``;
- a deadline that lands exactly on a closing time IS that closing time (``add`` returns
  the earliest instant at which the open time is reached);
- opening hours are local wall-clock times; a local time that does not exist (DST gap)
  moves forward to the first valid instant, an ambiguous one takes its first occurrence;
  an interval whose end is <= its start crosses midnight and belongs to the day it starts
  on, so a holiday or closure on that day closes all of it.

How it stays fast: the open intervals are materialised lazily, a few years at a time, as
integer epoch microseconds with a running sum of open time. ``add`` and ``elapsed`` are
then two bisects and some arithmetic, whatever the length of the target.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slackops.policy.durations import Duration, parse_duration

__all__ = ["Calendar", "WEEKDAYS"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = {
    **{name.lower(): i for i, name in enumerate(WEEKDAYS)},
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
}

_US = 1_000_000  # microseconds per second
_MINUTE_US = 60 * _US
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_UNIT_US = {"seconds": _US, "minutes": 60 * _US, "hours": 3600 * _US, "days": 86400 * _US}
_MAX_YEARS_AHEAD = 200  # give up looking for open time after this many years


def _td_us(amount: timedelta) -> int:
    return (amount.days * 86_400 + amount.seconds) * _US + amount.microseconds


def _parse_clock(value: Any, *, is_end: bool) -> int:
    """ "HH:MM" (or a datetime.time) -> minutes after midnight; "24:00" only as an end."""
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    text = str(value).strip()
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(f'"{value}" is not a time of day (write HH:MM, e.g. "09:00")')
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        if not is_end:
            raise ValueError('"24:00" can only end an interval (start at "00:00")')
        return 1440
    if h > 23 or m > 59:
        raise ValueError(f'"{value}" is not a time of day (use 00:00 to 24:00)')
    return h * 60 + m


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _weekday_keys(key: Any) -> list[int]:
    """0..6, "mon", "Monday", "mon-fri" -> weekday numbers (0 = Monday)."""
    if isinstance(key, bool):
        raise ValueError(f"{key!r} is not a weekday")
    if isinstance(key, int):
        if 0 <= key <= 6:
            return [key]
        raise ValueError(f"{key} is not a weekday (use 0 = Monday ... 6 = Sunday)")
    text = str(key).strip().lower()
    if text.isdigit():
        return _weekday_keys(int(text))
    for dash in ("–", "-", ".."):
        if dash in text:
            first, _, last = text.partition(dash)
            a, b = _weekday_keys(first)[0], _weekday_keys(last)[0]
            return list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
    if text in _DAY_NAMES:
        return [_DAY_NAMES[text]]
    raise ValueError(f'"{key}" is not a weekday (use Mon..Sun or 0 = Monday ... 6 = Sunday)')


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f'"{value}" is not a date (write YYYY-MM-DD)') from None


@dataclass(frozen=True)
class _Index:
    """Open intervals (merged, sorted, epoch µs) with running sums of open time.

    Exact for instants in [safe_lo, safe_hi): every interval that covers any of them is in.
    """

    starts: list[int]
    ends: list[int]
    cum_before: list[int]  # open µs before starts[i]
    cum_after: list[int]  # open µs up to ends[i]
    safe_lo: int
    safe_hi: int
    lo_year: int
    hi_year: int


_EMPTY = _Index([], [], [], [], 0, 0, 0, -1)


class Calendar:
    """Opening hours in a time zone, minus public holidays and closures.

    ``week`` maps weekday (0 = Monday .. 6 = Sunday; "mon", "mon-fri" also accepted) to a
    list of ("HH:MM", "HH:MM") local intervals. ``holidays`` is ("IT", None), ("US", "CA")
    or just "IT": public holidays from the ``holidays`` package. ``closures`` are dates or
    (first, last) inclusive date ranges on which the calendar is closed all day.
    """

    def __init__(
        self,
        name: str,
        tz: str,
        week: Mapping[Any, Sequence[Sequence[Any]]],
        holidays: tuple[str, str | None] | str | None = None,
        closures: Iterable[Any] = (),
    ) -> None:
        self.name = name
        try:
            self.zone = ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f'"{tz}" is not a time zone (use an IANA name such as "Europe/Rome")'
            ) from None
        self.tz = str(tz)

        minutes: dict[int, list[tuple[int, int]]] = {d: [] for d in range(7)}
        for key, intervals in dict(week).items():
            days = _weekday_keys(key)
            if isinstance(intervals, (str, bytes)) or not isinstance(intervals, Iterable):
                raise ValueError(f'{WEEKDAYS[days[0]]}: expected a list of ["HH:MM", "HH:MM"] intervals')
            for interval in intervals:
                if isinstance(interval, str):
                    interval = interval.replace("–", "-").split("-")
                pair = list(interval)
                if len(pair) != 2:
                    raise ValueError(f'{WEEKDAYS[days[0]]}: {interval!r} is not an interval (write ["09:00", "17:00"])')
                start = _parse_clock(pair[0], is_end=False)
                end = _parse_clock(pair[1], is_end=True)
                if end <= start:  # crosses midnight: belongs to the day it starts on
                    end += 1440
                for d in days:
                    minutes[d].append((start, end))
        self._week_minutes: dict[int, tuple[tuple[int, int], ...]] = {
            d: tuple(_merge_minutes(minutes[d])) for d in range(7)
        }
        self.week: dict[int, tuple[tuple[str, str], ...]] = {
            d: tuple((_clock(s), _clock(e % 1440 if e != 1440 else 1440)) for s, e in ivs)
            for d, ivs in self._week_minutes.items()
        }
        totals = [sum(e - s for s, e in ivs) for ivs in self._week_minutes.values()]
        if not any(totals):
            raise ValueError(f"calendar {name}: no opening hours on any day of the week")
        counts = Counter(t for t in totals if t)
        best = max(counts.values())
        self.working_day = timedelta(minutes=max(t for t, c in counts.items() if c == best))

        self.holidays: tuple[str, str | None] | None = _holiday_spec(holidays)
        self._holiday_cache: dict[int, Any] = {}
        if self.holidays is not None:
            self._holidays_for(2026)  # refuse an unknown country or subdivision now

        ranges: list[tuple[date, date]] = []
        for closure in closures or ():
            if isinstance(closure, str) and ".." in closure:  # "2026-08-03..2026-08-21"
                closure = tuple(closure.split("..", 1))
            if isinstance(closure, (date, str)):
                first = last = _as_date(closure)
            else:
                pair = list(closure)
                if len(pair) != 2:
                    raise ValueError(f"{closure!r} is not a date or a (first, last) date range")
                first, last = _as_date(pair[0]), _as_date(pair[1])
            if last < first:
                raise ValueError(f"closure {first}..{last}: the last day comes before the first")
            ranges.append((first, last))
        self.closures: tuple[tuple[date, date], ...] = tuple(sorted(ranges))

        self._always = (
            self.holidays is None
            and not self.closures
            and all(ivs[:1] and ivs[0][0] == 0 and ivs[0][1] >= 1440
                    for ivs in self._week_minutes.values())
        )
        self._index = _EMPTY
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ constructors

    @classmethod
    def always(cls, tz: str = "UTC", name: str = "24x7") -> Calendar:
        """A calendar open all the time (24x7)."""
        return cls(name, tz, {d: [("00:00", "24:00")] for d in range(7)})

    def __repr__(self) -> str:
        return f"Calendar({self.name!r}: {self.describe()})"

    def _key(self) -> tuple[Any, ...]:
        return (self.name, self.tz, tuple(self._week_minutes.items()), self.holidays, self.closures)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __getstate__(self) -> dict[str, Any]:
        # The interval cache and its lock are rebuilt on demand (pickle, deepcopy).
        state = self.__dict__.copy()
        del state["_lock"]
        state["_index"] = _EMPTY
        state["_holiday_cache"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ questions

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at ``at`` (intervals include their start, not their end)."""
        t = self._us(at)
        if self._always:
            return True
        while True:
            ix = self._index
            if ix.safe_lo <= t < ix.safe_hi:
                i = bisect_right(ix.ends, t)
                return i < len(ix.starts) and ix.starts[i] <= t
            self._grow(t)

    def next_open(self, at: datetime) -> datetime:
        """``at`` if the calendar is open then, else the next opening."""
        t = self._us(at)
        if self._always:
            return self._dt(t)
        return self._dt(self._next_open_us(t))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """``start`` plus ``amount`` of open time: the earliest instant it is reached."""
        t = self._us(start)
        a = _td_us(amount)
        if a < 0:
            raise ValueError(f"cannot add a negative amount of open time ({amount})")
        if self._always:
            return self._dt(t + a)
        if a == 0:
            return self._dt(self._next_open_us(t))
        while True:
            ix = self._index
            if ix.safe_lo <= t < ix.safe_hi:
                starts = ix.starts
                n = len(starts)
                i = bisect_right(ix.ends, t)
                if i < n:
                    s = starts[i]
                    target = ix.cum_before[i] + (t - s if s < t else 0) + a
                    j = bisect_left(ix.cum_after, target, i)
                    if j < n:
                        x = starts[j] + (target - ix.cum_before[j])
                        if x < ix.safe_hi:
                            return self._dt(x)
            self._grow(t, ahead=True)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Open time between two instants (negative if ``end`` is before ``start``)."""
        ts, te = self._us(start), self._us(end)
        if te < ts:
            return -self.elapsed(end, start)
        if self._always:
            return timedelta(microseconds=te - ts)
        ix = self._covering(ts, te)
        return timedelta(microseconds=_cum(ix, te) - _cum(ix, ts))

    def add_duration(self, start: datetime, duration: Duration | str, fraction: float = 1.0) -> datetime:
        """``start`` plus a policy duration (the time semantics in docs/policy.md), times ``fraction``.

        business seconds/minutes/hours: open time; business days: N x ``working_day`` of open
        time; seconds/minutes/hours: real elapsed time; days / calendar days: the same local
        wall-clock time N days later (a fractional day adds its share of 24 h real time).
        """
        d = duration if isinstance(duration, Duration) else parse_duration(duration)
        if fraction < 0:
            raise ValueError(f"a fraction cannot be negative ({fraction})")
        amount = d.amount * fraction
        if d.business:
            if d.unit == "days":
                us = round(_td_us(self.working_day) * amount)
            else:
                us = round(_UNIT_US[d.unit] * amount)
            return self.add(start, timedelta(microseconds=us))
        t = self._us(start)
        if d.unit != "days":
            return self._dt(t + round(_UNIT_US[d.unit] * amount))
        whole = int(amount)
        rest = round((amount - whole) * _DAY_US)
        wall = datetime.fromtimestamp(t / _US, self.zone).replace(tzinfo=None) + timedelta(days=whole)
        return self._dt(self._local_us(wall) + rest)

    def intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open (from, until) pairs between two instants, clipped to them, in this zone."""
        ts, te = self._us(start), self._us(end)
        if te <= ts:
            return
        if self._always:
            yield self._dt(ts), self._dt(te)
            return
        ix = self._covering(ts, te)
        i = bisect_right(ix.ends, ts)
        while i < len(ix.starts) and ix.starts[i] < te:
            yield self._dt(max(ix.starts[i], ts)), self._dt(min(ix.ends[i], te))
            i += 1

    def closed_on(self, day: date) -> str | None:
        """Why the calendar is closed all of a local date (holiday or closure), else None."""
        for first, last in self.closures:
            if first <= day <= last:
                return f"closure {first.isoformat()}" + (f"–{last.isoformat()}" if last != first else "")
        if self.holidays is not None:
            name = self._holidays_for(day.year).get(day)
            if name:
                return str(name)
        return None

    def describe(self) -> str:
        """One line: "Mon–Fri 09:00–13:00, 14:30–18:30 Europe/Rome, IT holidays"."""
        if self._always:
            return f"24x7 {self.tz}"
        groups: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
        for d in range(7):
            ivs = self.week[d]
            if groups and groups[-1][2] == ivs and groups[-1][1] == d - 1:
                groups[-1] = (groups[-1][0], d, ivs)
            else:
                groups.append((d, d, ivs))
        parts = []
        for first, last, ivs in groups:
            if not ivs:
                continue
            days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}–{WEEKDAYS[last]}"
            parts.append(f"{days} " + ", ".join(f"{s}–{e}" for s, e in ivs))
        text = "; ".join(parts) + f" {self.tz}"
        if self.holidays is not None:
            country, subdiv = self.holidays
            text += f", {country}{'-' + subdiv if subdiv else ''} holidays"
        if self.closures:
            shown = [
                a.isoformat() if a == b else f"{a.isoformat()}–{b.isoformat()}"
                for a, b in self.closures[:3]
            ]
            more = f" and {len(self.closures) - 3} more" if len(self.closures) > 3 else ""
            text += ", closed " + ", ".join(shown) + more
        return text

    # ------------------------------------------------------------------ internals

    def _us(self, at: datetime) -> int:
        if not isinstance(at, datetime):
            raise ValueError(f"{at!r} is not a datetime")
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(
                f"{at.isoformat()} has no time zone: pass an aware datetime "
                f"(e.g. with tzinfo=ZoneInfo({self.tz!r}) or timezone.utc)"
            )
        return round(at.timestamp() * _US)

    def _dt(self, us: int) -> datetime:
        # us / 1e6 is the nearest float to the exact value, and fromtimestamp rounds to the
        # microsecond, so this is exact for any instant within a few thousand years.
        return datetime.fromtimestamp(us / _US, self.zone)

    def _next_open_us(self, t: int) -> int:
        while True:
            ix = self._index
            if ix.safe_lo <= t < ix.safe_hi:
                i = bisect_right(ix.ends, t)
                if i < len(ix.starts):
                    x = max(t, ix.starts[i])
                    if x < ix.safe_hi:
                        return x
            self._grow(t, ahead=True)

    def _covering(self, ts: int, te: int) -> _Index:
        """An index exact for every instant in [ts, te]."""
        while True:
            ix = self._index
            if ix.safe_lo <= ts and te < ix.safe_hi:
                return ix
            self._grow(ts if ts < ix.safe_lo else te)

    def _grow(self, t: int, ahead: bool = False) -> None:
        """Materialise more years so that ``t`` (and, if ``ahead``, one more year) is covered."""
        year = (_EPOCH + timedelta(microseconds=t)).year
        with self._lock:
            ix = self._index
            if ix.hi_year < ix.lo_year:  # empty
                lo, hi = year - 1, year + 1
            else:
                lo, hi = ix.lo_year, ix.hi_year
                if t < ix.safe_lo:
                    lo = min(lo, year - 1)
                elif t >= ix.safe_hi:
                    hi = max(hi, year + 1)
                elif ahead:
                    hi += 1
                else:
                    return  # another thread already grew it
            if hi > year + _MAX_YEARS_AHEAD:
                raise ValueError(
                    f"calendar {self.name} has no open time in the {_MAX_YEARS_AHEAD} years after "
                    f"{(_EPOCH + timedelta(microseconds=t)).date().isoformat()}"
                )
            self._index = self._build(lo, hi)

    def _build(self, lo: int, hi: int) -> _Index:
        raw: list[tuple[int, int]] = []
        for year in range(lo, hi + 1):
            raw.extend(self._year_intervals(year))
        raw.sort()
        starts: list[int] = []
        ends: list[int] = []
        for s, e in raw:
            if starts and s < ends[-1]:  # overlapping intervals: merge (touching ones stay apart)
                if e > ends[-1]:
                    ends[-1] = e
                continue
            starts.append(s)
            ends.append(e)
        cum_before: list[int] = []
        cum_after: list[int] = []
        total = 0
        for s, e in zip(starts, ends, strict=True):
            cum_before.append(total)
            total += e - s
            cum_after.append(total)
        # Intervals of the year before `lo` may cover up to two days into `lo`; intervals of
        # the year after `hi` cannot start before its local 1 January (UTC 31 December at the
        # earliest), so every instant in [safe_lo, safe_hi) is covered exactly.
        safe_lo = _td_us(datetime(lo, 1, 3, tzinfo=UTC) - _EPOCH)
        safe_hi = _td_us(datetime(hi, 12, 31, tzinfo=UTC) - _EPOCH)
        return _Index(starts, ends, cum_before, cum_after, safe_lo, safe_hi, lo, hi)

    def _year_intervals(self, year: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        one = timedelta(days=1)
        week = self._week_minutes
        while day.year == year:
            ivs = week[day.weekday()]
            if ivs and self.closed_on(day) is None:
                midnight = datetime(day.year, day.month, day.day)
                for s, e in ivs:
                    us = self._local_us(midnight + timedelta(minutes=s))
                    ue = self._local_us(midnight + timedelta(minutes=e))
                    if ue > us:  # an interval inside a DST gap holds nothing
                        out.append((us, ue))
            day += one
        return out

    def _local_us(self, wall: datetime) -> int:
        """Epoch µs of a naive local wall-clock time: a time in a DST gap moves forward to
        the first valid instant; an ambiguous one takes its first occurrence."""
        off0 = wall.replace(tzinfo=self.zone, fold=0).utcoffset()
        off1 = wall.replace(tzinfo=self.zone, fold=1).utcoffset()
        base = _td_us(wall - _EPOCH_NAIVE)
        assert off0 is not None and off1 is not None
        u0, u1 = base - _td_us(off0), base - _td_us(off1)
        if u0 == u1:
            return u0
        valid = [u for u in (u0, u1) if self._wall(u) == wall]
        if valid:
            return min(valid)  # ambiguous: the first occurrence
        # In a gap: the first instant whose wall clock reads `wall` or later.
        # Zone transitions fall on whole seconds: bisect over seconds.
        lo, hi = min(u0, u1) // _US, -(-max(u0, u1) // _US)  # wall(lo) < wall <= wall(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._wall(mid * _US) >= wall:
                hi = mid
            else:
                lo = mid
        return hi * _US

    def _wall(self, us: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=us)).astimezone(self.zone).replace(tzinfo=None)

    def _holidays_for(self, year: int) -> Any:
        cached = self._holiday_cache.get(year)
        if cached is None:
            import holidays as holidays_package

            assert self.holidays is not None
            country, subdiv = self.holidays
            try:
                # names in English whatever the country's own language (the holidays package
                # names some countries in their language unless asked)
                cached = holidays_package.country_holidays(country, subdiv=subdiv, years=year, language="en_US")
            except NotImplementedError:
                if subdiv and country in holidays_package.list_supported_countries():
                    raise ValueError(
                        f'"{subdiv}" is not a subdivision of {country} the holidays package knows'
                    ) from None
                raise ValueError(
                    f'"{country}" is not a country the holidays package knows '
                    f'(use an ISO code such as "US", "IT", "KR")'
                ) from None
            except Exception as exc:  # unknown subdivision and the like
                raise ValueError(f"holidays {country}/{subdiv}: {exc}") from None
            self._holiday_cache[year] = cached
        return cached


def _cum(ix: _Index, t: int) -> int:
    """Open µs from the start of the index to ``t`` (which the index covers)."""
    i = bisect_right(ix.ends, t)
    if i == len(ix.starts):
        return ix.cum_after[-1] if ix.starts else 0
    s = ix.starts[i]
    return ix.cum_before[i] + (t - s if s < t else 0)


def _merge_minutes(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _holiday_spec(value: Any) -> tuple[str, str | None] | None:
    if value is None or value == "" or value is False:
        return None
    country: str | None
    subdiv: str | None
    if isinstance(value, str):
        country, _, subdiv = value.replace("/", "-").partition("-")
        return (country.strip().upper(), subdiv.strip() or None)
    if isinstance(value, Mapping):
        country = value.get("country")
        subdiv = value.get("subdiv") or value.get("subdivision")
        if not country:
            raise ValueError("holidays: name a country, e.g. {country: IT}")
        return (str(country).upper(), str(subdiv) if subdiv else None)
    pair = list(value)
    if len(pair) == 1:
        pair.append(None)
    if len(pair) != 2 or not pair[0]:
        raise ValueError(f'{value!r} is not a holiday calendar (use ("IT", None) or ("US", "CA"))')
    return (str(pair[0]).upper(), str(pair[1]) if pair[1] else None)
