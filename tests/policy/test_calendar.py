"""Business calendars: cases worked out by hand (the time semantics in docs/policy.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slackops.policy.calendar import Calendar
from slackops.policy.durations import parse_duration

DENVER = ZoneInfo("America/Denver")
ROME = ZoneInfo("Europe/Rome")
SEOUL = ZoneInfo("Asia/Seoul")
LA = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)

WEEKDAYS = range(5)

# Interopion "Business Hours": 07:00 to 18:00 on Monday to Friday Mountain Time.
INTEROPION = Calendar("business_hours", "America/Denver", {d: [("07:00", "18:00")] for d in WEEKDAYS})
# Interzen: Mon-Fri 09:00-13:00 and 14:30-18:30, Italian holidays, August closure.
INTERZEN = Calendar(
    "default", "Europe/Rome",
    {d: [("09:00", "13:00"), ("14:30", "18:30")] for d in WEEKDAYS},
    holidays=("IT", None),
    closures=[("2026-08-03", "2026-08-21"), (date(2026, 12, 24), date(2027, 1, 6))],
)
INTERACTOR_US = Calendar("us", "America/Los_Angeles", {d: [("09:00", "17:00")] for d in WEEKDAYS},
                         holidays=("US", None))
INTERACTOR_KR = Calendar("kr", "Asia/Seoul", {d: [("09:00", "17:00")] for d in WEEKDAYS},
                         holidays=("KR", None))
ALWAYS_DENVER = Calendar.always("America/Denver")
ALWAYS_ROME = Calendar.always("Europe/Rome")
# A night desk: Mon-Fri 22:00 to 06:00 the next morning, US holidays.
NIGHTS = Calendar("nights", "America/Denver", {d: [("22:00", "06:00")] for d in WEEKDAYS},
                  holidays=("US", None))
# Every night 22:00-06:00, to see DST inside an open interval.
EVERY_NIGHT = Calendar("every_night", "America/Denver", {d: [("22:00", "06:00")] for d in range(7)})
# A weekend desk, whole days written with 24:00.
WEEKENDS = Calendar("weekends", "America/Denver", {5: [("00:00", "24:00")], 6: [("00:00", "24:00")]})


def den(*a: int) -> datetime:
    return datetime(*a, tzinfo=DENVER)


def rome(*a: int) -> datetime:
    return datetime(*a, tzinfo=ROME)


ADD_CASES = [
    # (why, calendar, start, open time, expected due)
    ("inside hours", INTEROPION, den(2026, 12, 1, 9, 0), 4 * H, den(2026, 12, 1, 13, 0)),
    ("opened after closing: starts at the next opening", INTEROPION,
     den(2026, 12, 1, 20, 0), 4 * H, den(2026, 12, 2, 11, 0)),
    ("opened before opening", INTEROPION, den(2026, 12, 2, 5, 12), 4 * H, den(2026, 12, 2, 11, 0)),
    ("opened on a Saturday", INTEROPION, den(2026, 12, 5, 10, 0), 4 * H, den(2026, 12, 7, 11, 0)),
    ("Friday afternoon rolls over the weekend (the issue's example)", INTEROPION,
     den(2026, 12, 4, 16, 30), 4 * H, den(2026, 12, 7, 9, 30)),
    ("a deadline landing exactly on closing time is that closing time", INTEROPION,
     den(2026, 12, 4, 14, 0), 4 * H, den(2026, 12, 4, 18, 0)),
    ("opened at closing time waits for the next opening", INTEROPION,
     den(2026, 12, 4, 18, 0), 1 * H, den(2026, 12, 7, 8, 0)),
    ("a whole working day, 11 h", INTEROPION, den(2026, 12, 1, 10, 0), 11 * H, den(2026, 12, 2, 10, 0)),
    ("Interzen: across the lunch break", INTERZEN, rome(2026, 12, 2, 12, 0), 2 * H, rome(2026, 12, 2, 15, 30)),
    ("Interzen: ends exactly when lunch starts", INTERZEN,
     rome(2026, 12, 2, 10, 0), 3 * H, rome(2026, 12, 2, 13, 0)),
    ("Interzen: opened during lunch", INTERZEN, rome(2026, 12, 2, 13, 45), 1 * H, rome(2026, 12, 2, 15, 30)),
    ("Interzen: Immacolata (Tue 8 Dec) is closed", INTERZEN,
     rome(2026, 12, 7, 17, 0), 4 * H, rome(2026, 12, 9, 11, 30)),
    ("Interzen: the August closure (3-21 Aug), then a weekend", INTERZEN,
     rome(2026, 7, 31, 17, 0), 4 * H, rome(2026, 8, 24, 11, 30)),
    ("Interzen: the Christmas closure runs into the next year", INTERZEN,
     rome(2026, 12, 23, 18, 0), 1 * H, rome(2027, 1, 7, 9, 30)),
    ("US: 3 Jul 2026 is Independence Day observed", INTERACTOR_US,
     datetime(2026, 7, 2, 15, 0, tzinfo=LA), 4 * H, datetime(2026, 7, 6, 11, 0, tzinfo=LA)),
    ("US: New Year's Day across the year end", INTERACTOR_US,
     datetime(2026, 12, 31, 16, 0, tzinfo=LA), 8 * H, datetime(2027, 1, 4, 16, 0, tzinfo=LA)),
    ("KR: Chuseok, 24-26 Sep 2026", INTERACTOR_KR,
     datetime(2026, 9, 23, 16, 0, tzinfo=SEOUL), 8 * H, datetime(2026, 9, 28, 16, 0, tzinfo=SEOUL)),
    ("KR: Hangul Day, Fri 9 Oct 2026", INTERACTOR_KR,
     datetime(2026, 10, 8, 12, 0, tzinfo=SEOUL), 8 * H, datetime(2026, 10, 12, 12, 0, tzinfo=SEOUL)),
    ("24x7 Denver, spring forward: 4 real hours show as 5 on the clock", ALWAYS_DENVER,
     den(2026, 3, 7, 23, 0), 4 * H, den(2026, 3, 8, 4, 0)),
    ("24x7 Denver, fall back: 4 real hours show as 3 on the clock", ALWAYS_DENVER,
     den(2026, 10, 31, 23, 0), 4 * H, den(2026, 11, 1, 2, 0)),
    ("24x7 Rome, spring forward", ALWAYS_ROME, rome(2026, 3, 29, 0, 30), 2 * H, rome(2026, 3, 29, 3, 30)),
    ("night interval across spring forward holds 7 h: deadline at its closing", EVERY_NIGHT,
     den(2026, 3, 7, 22, 0), 7 * H, den(2026, 3, 8, 6, 0)),
    ("night interval across spring forward: the 8th hour is the next night", EVERY_NIGHT,
     den(2026, 3, 7, 22, 0), 8 * H, den(2026, 3, 8, 23, 0)),
    ("night interval across fall back holds 9 h", EVERY_NIGHT,
     den(2026, 10, 31, 22, 0), 9 * H, den(2026, 11, 1, 6, 0)),
    ("overnight: Saturday 03:00 is inside Friday's night", NIGHTS,
     den(2026, 12, 5, 3, 0), 1 * H, den(2026, 12, 5, 4, 0)),
    ("overnight: Saturday noon waits for Monday night", NIGHTS,
     den(2026, 12, 5, 12, 0), 1 * H, den(2026, 12, 7, 23, 0)),
    ("overnight: Christmas (Fri) closes the night that starts on it, Sat morning too", NIGHTS,
     den(2026, 12, 25, 5, 0), 2 * H, den(2026, 12, 28, 23, 0)),
    ("24:00: a Saturday ends exactly where Sunday begins", WEEKENDS,
     den(2026, 12, 5, 0, 0), 24 * H, den(2026, 12, 6, 0, 0)),
    ("24:00: Sunday night rolls to Saturday", WEEKENDS,
     den(2026, 12, 6, 23, 0), 2 * H, den(2026, 12, 12, 1, 0)),
]


@pytest.mark.parametrize(
    "calendar, start, amount, expected", [c[1:] for c in ADD_CASES], ids=[c[0] for c in ADD_CASES]
)
def test_add(calendar: Calendar, start: datetime, amount: timedelta, expected: datetime) -> None:
    due = calendar.add(start, amount)
    assert due == expected
    assert due.utcoffset() == expected.utcoffset()  # same wall clock, same side of a DST change
    assert due.tzinfo == ZoneInfo(calendar.tz)
    # and back: the open time between them is what was added
    assert calendar.elapsed(start, due) == amount


ELAPSED_CASES = [
    ("Fri noon to Mon noon", INTEROPION, den(2026, 12, 4, 12, 0), den(2026, 12, 7, 12, 0), 11 * H),
    ("both closed", INTEROPION, den(2026, 12, 5, 12, 0), den(2026, 12, 6, 12, 0), timedelta(0)),
    ("Interzen: a day with lunch", INTERZEN, rome(2026, 12, 2, 0, 0), rome(2026, 12, 3, 0, 0), 8 * H),
    ("Interzen: a week with Immacolata", INTERZEN, rome(2026, 12, 7, 0, 0), rome(2026, 12, 14, 0, 0), 32 * H),
    ("Interzen: weekend with spring forward", INTERZEN,
     rome(2026, 3, 27, 9, 0), rome(2026, 3, 30, 9, 0), 8 * H),
    ("Interzen: weekend with fall back", INTERZEN,
     rome(2026, 10, 23, 18, 0), rome(2026, 10, 26, 10, 0), 90 * MIN),
    ("24x7 Rome across fall back: 25 h in a calendar day", ALWAYS_ROME,
     rome(2026, 10, 25, 0, 0), rome(2026, 10, 26, 0, 0), 25 * H),
    ("24x7 Denver across spring forward: 23 h", ALWAYS_DENVER,
     den(2026, 3, 8, 0, 0), den(2026, 3, 9, 0, 0), 23 * H),
    ("business hours across spring forward weekend (Denver)", INTEROPION,
     den(2026, 3, 6, 12, 0), den(2026, 3, 9, 12, 0), 11 * H),
    ("business hours across fall back weekend (Denver)", INTEROPION,
     den(2026, 10, 30, 17, 0), den(2026, 11, 2, 8, 0), 2 * H),
    ("overnight interval that belongs to Christmas is closed", NIGHTS,
     den(2026, 12, 25, 12, 0), den(2026, 12, 26, 12, 0), timedelta(0)),
    ("the night before Christmas is open", NIGHTS,
     den(2026, 12, 24, 12, 0), den(2026, 12, 25, 12, 0), 8 * H),
    ("weekend desk: a whole weekend", WEEKENDS, den(2026, 12, 4, 12, 0), den(2026, 12, 7, 12, 0), 48 * H),
]


@pytest.mark.parametrize(
    "calendar, start, end, expected", [c[1:] for c in ELAPSED_CASES], ids=[c[0] for c in ELAPSED_CASES]
)
def test_elapsed(calendar: Calendar, start: datetime, end: datetime, expected: timedelta) -> None:
    assert calendar.elapsed(start, end) == expected
    assert calendar.elapsed(end, start) == -expected


@pytest.mark.parametrize("zone, day, expected", [
    ("America/Denver", date(2026, 3, 8), 1 * H),    # 01:00 MST .. 03:00 MDT
    ("America/Denver", date(2026, 11, 1), 3 * H),   # 01:00 MDT .. 03:00 MST
    ("Europe/Rome", date(2026, 3, 29), 1 * H),
    ("Europe/Rome", date(2026, 10, 25), 3 * H),
])
def test_a_wall_clock_interval_holds_real_time(zone: str, day: date, expected: timedelta) -> None:
    calendar = Calendar("small hours", zone, {d: [("01:00", "03:00")] for d in range(7)})
    tz = ZoneInfo(zone)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    assert calendar.elapsed(start, start + timedelta(hours=12)) == expected


def test_a_local_time_in_the_gap_moves_forward_to_the_first_valid_instant() -> None:
    calendar = Calendar("gap", "America/Denver", {d: [("02:30", "04:00")] for d in range(7)})
    opening = calendar.next_open(den(2026, 3, 8, 0, 0))
    assert opening == den(2026, 3, 8, 3, 0)  # 02:30 does not exist that night
    assert opening.utcoffset() == timedelta(hours=-6)
    assert calendar.elapsed(den(2026, 3, 8, 0, 0), den(2026, 3, 8, 12, 0)) == 1 * H
    # an interval entirely inside the gap holds nothing that night
    inside = Calendar("in gap", "America/Denver", {d: [("02:10", "02:50")] for d in range(7)})
    assert inside.elapsed(den(2026, 3, 8, 0, 0), den(2026, 3, 8, 12, 0)) == timedelta(0)
    assert inside.elapsed(den(2026, 3, 9, 0, 0), den(2026, 3, 9, 12, 0)) == 40 * MIN


def test_an_ambiguous_local_time_takes_its_first_occurrence() -> None:
    calendar = Calendar("fold", "America/Denver", {d: [("01:30", "05:00")] for d in range(7)})
    opening = calendar.next_open(den(2026, 11, 1, 0, 0))
    # (an ambiguous wall time never equals an instant in another zone: compare in UTC)
    assert opening.astimezone(UTC) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 MDT, not MST
    assert opening.utcoffset() == timedelta(hours=-6)
    assert calendar.elapsed(den(2026, 11, 1, 0, 0), den(2026, 11, 1, 12, 0)) == timedelta(hours=4, minutes=30)


def test_add_zero_is_next_open() -> None:
    assert INTEROPION.add(den(2026, 12, 5, 10, 0), timedelta(0)) == den(2026, 12, 7, 7, 0)
    assert INTEROPION.add(den(2026, 12, 7, 10, 0), timedelta(0)) == den(2026, 12, 7, 10, 0)
    assert INTEROPION.add(den(2026, 12, 7, 18, 0), timedelta(0)) == den(2026, 12, 8, 7, 0)


def test_is_open_and_next_open() -> None:
    assert INTEROPION.is_open(den(2026, 12, 7, 7, 0))  # an interval includes its opening
    assert not INTEROPION.is_open(den(2026, 12, 7, 18, 0))  # and not its closing
    assert not INTERZEN.is_open(rome(2026, 12, 8, 10, 0))  # Immacolata
    assert INTERZEN.is_open(rome(2026, 12, 9, 10, 0))
    assert not INTERZEN.is_open(rome(2026, 12, 9, 13, 0))  # lunch
    assert INTERZEN.next_open(rome(2026, 12, 9, 13, 0)) == rome(2026, 12, 9, 14, 30)
    assert INTERZEN.next_open(rome(2026, 8, 1, 0, 0)) == rome(2026, 8, 24, 9, 0)
    assert ALWAYS_DENVER.is_open(den(2026, 3, 8, 3, 0))


def test_instants_in_other_zones_give_results_in_the_calendars_zone() -> None:
    start = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # Fri 16:30 MST
    due = INTEROPION.add(start, 4 * H)
    assert due == den(2026, 12, 7, 9, 30)
    assert due.tzinfo == DENVER
    assert due.isoformat() == "2026-12-07T09:30:00-07:00"


def test_microseconds_survive() -> None:
    start = den(2026, 12, 7, 9, 0, 0) + timedelta(microseconds=123457)
    assert INTEROPION.add(start, timedelta(seconds=1, microseconds=1)) == start + timedelta(
        seconds=1, microseconds=1)


def test_long_targets_and_far_dates() -> None:
    # 30 Interzen working days of 8 h from an opening: the 30th working day's closing time.
    # November 2026: 2-6, 9-13, 16-20, 23-27, 30 (21 days); December: 1-4, 7 (26), 8 is
    # Immacolata, 9-11 (29), 14 (30).
    assert INTERZEN.add_duration(rome(2026, 11, 2, 9, 0), parse_duration("30 business days")) == rome(
        2026, 12, 14, 18, 30)
    # years away, then back again: the cache grows both ways
    far = INTEROPION.add(den(2031, 6, 2, 7, 0), 11 * H)
    assert far == den(2031, 6, 2, 18, 0)
    assert INTEROPION.add(den(2019, 6, 3, 7, 0), 22 * H) == den(2019, 6, 4, 18, 0)
    assert INTEROPION.elapsed(den(2026, 1, 5, 0, 0), den(2027, 1, 4, 0, 0)) == 52 * 5 * 11 * H


ADD_DURATION_CASES = [
    ("business hours", INTEROPION, den(2026, 12, 4, 16, 30), "4 business hours", den(2026, 12, 7, 9, 30)),
    ("1 business day = 11 business hours", INTEROPION, den(2026, 12, 4, 16, 30), "1 business day",
     den(2026, 12, 7, 16, 30)),
    ("1 working day = 8 h at Interzen", INTERZEN, rome(2026, 12, 2, 12, 0), "1 working day",
     rome(2026, 12, 3, 12, 0)),
    ("non-business hours are real time, even on a business calendar", INTEROPION,
     den(2026, 12, 4, 17, 0), "2 hours", den(2026, 12, 4, 19, 0)),
    ("real hours across spring forward", ALWAYS_DENVER, den(2026, 3, 7, 12, 0), "24 hours",
     den(2026, 3, 8, 13, 0)),
    ("calendar days keep the wall clock across spring forward", ALWAYS_DENVER,
     den(2026, 3, 7, 12, 0), "1 day", den(2026, 3, 8, 12, 0)),
    ("5 calendar days across spring forward (New York)", Calendar.always("America/New_York"),
     datetime(2026, 3, 6, 10, 0, tzinfo=NEW_YORK), "5 calendar days",
     datetime(2026, 3, 11, 10, 0, tzinfo=NEW_YORK)),
    ("3 days across fall back", INTEROPION, den(2026, 10, 30, 12, 0), "3 days", den(2026, 11, 2, 12, 0)),
    ("calendar days into the gap move forward", ALWAYS_DENVER, den(2026, 3, 7, 2, 30), "1 day",
     den(2026, 3, 8, 3, 0)),
    ("seconds for short test policies", INTEROPION, den(2026, 12, 4, 17, 59, 50), "30 business seconds",
     den(2026, 12, 7, 7, 0, 20)),
]


@pytest.mark.parametrize(
    "calendar, start, text, expected", [c[1:] for c in ADD_DURATION_CASES],
    ids=[c[0] for c in ADD_DURATION_CASES],
)
def test_add_duration(calendar: Calendar, start: datetime, text: str, expected: datetime) -> None:
    due = calendar.add_duration(start, parse_duration(text))
    assert due == expected
    assert due.utcoffset() == expected.utcoffset()
    assert calendar.add_duration(start, text) == expected  # text is parsed too


def test_calendar_days_onto_an_ambiguous_time_take_the_first_occurrence() -> None:
    due = ALWAYS_DENVER.add_duration(den(2026, 10, 31, 1, 30), "1 day")
    assert due.astimezone(UTC) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 MDT


def test_add_duration_fraction_for_warnings() -> None:
    start = den(2026, 12, 4, 16, 30)
    assert INTEROPION.add_duration(start, "4 business hours", fraction=0.75) == den(2026, 12, 7, 8, 30)
    assert INTEROPION.add_duration(start, parse_duration("4 business hours").scaled(0.75)) == den(
        2026, 12, 7, 8, 30)
    assert INTEROPION.add_duration(start, "2 hours", fraction=0.5) == den(2026, 12, 4, 17, 30)
    # 0.75 x 5 days: three wall-clock days and 18 real hours
    assert ALWAYS_DENVER.add_duration(den(2026, 3, 6, 12, 0), "5 days", fraction=0.75) == den(
        2026, 3, 10, 6, 0)


def test_working_day() -> None:
    assert INTEROPION.working_day == timedelta(hours=11)
    assert INTERZEN.working_day == timedelta(hours=8)
    assert ALWAYS_ROME.working_day == timedelta(hours=24)
    assert NIGHTS.working_day == timedelta(hours=8)
    # the most common non-zero day: a short Friday does not change it
    short_friday = Calendar("x", "UTC", {**{d: [("09:00", "17:00")] for d in range(4)}, 4: [("09:00", "12:00")]})
    assert short_friday.working_day == timedelta(hours=8)


def test_intervals_for_explanations() -> None:
    pieces = list(INTEROPION.intervals(den(2026, 12, 4, 16, 30), den(2026, 12, 7, 9, 30)))
    assert pieces == [(den(2026, 12, 4, 16, 30), den(2026, 12, 4, 18, 0)),
                      (den(2026, 12, 7, 7, 0), den(2026, 12, 7, 9, 30))]
    assert list(ALWAYS_DENVER.intervals(den(2026, 1, 1), den(2026, 1, 2))) == [(den(2026, 1, 1), den(2026, 1, 2))]
    assert list(INTEROPION.intervals(den(2026, 1, 2), den(2026, 1, 1))) == []


def test_describe() -> None:
    assert INTEROPION.describe() == "Mon–Fri 07:00–18:00 America/Denver"
    assert INTERACTOR_KR.describe() == "Mon–Fri 09:00–17:00 Asia/Seoul, KR holidays"
    assert INTERZEN.describe() == (
        "Mon–Fri 09:00–13:00, 14:30–18:30 Europe/Rome, IT holidays, "
        "closed 2026-08-03–2026-08-21, 2026-12-24–2027-01-06"
    )
    assert ALWAYS_DENVER.describe() == "24x7 America/Denver"
    assert NIGHTS.describe() == "Mon–Fri 22:00–06:00 America/Denver, US holidays"
    assert WEEKENDS.describe() == "Sat–Sun 00:00–24:00 America/Denver"


def test_closed_on_names_the_reason() -> None:
    assert INTERZEN.closed_on(date(2026, 12, 8)) == "Immaculate Conception"
    assert INTERZEN.closed_on(date(2026, 8, 5)) == "closure 2026-08-03–2026-08-21"
    assert INTERZEN.closed_on(date(2026, 12, 9)) is None


def test_week_accepts_names_and_ranges() -> None:
    calendar = Calendar("x", "Europe/Rome", {"mon-fri": [("9:00", "13:00"), "14:30-18:30"]})
    assert calendar.week[0] == (("09:00", "13:00"), ("14:30", "18:30"))
    assert calendar.week[5] == ()
    assert Calendar("y", "UTC", {"Saturday": [("10:00", "12:00")]}).week[5] == (("10:00", "12:00"),)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        INTEROPION.add(datetime(2026, 12, 4, 16, 30), H)
    with pytest.raises(ValueError, match="no time zone"):
        INTEROPION.elapsed(den(2026, 12, 4, 16, 30), datetime(2026, 12, 5))
    with pytest.raises(ValueError, match="no time zone"):
        ALWAYS_DENVER.is_open(datetime(2026, 12, 4))


@pytest.mark.parametrize("kwargs, message", [
    ({"tz": "Mars/Olympus"}, '"Mars/Olympus" is not a time zone'),
    ({"week": {0: [("25:00", "26:00")]}}, '"25:00" is not a time of day'),
    ({"week": {0: [("24:00", "06:00")]}}, '"24:00" can only end an interval'),
    ({"week": {0: [("9am", "5pm")]}}, '"9am" is not a time of day'),
    ({"week": {"funday": [("09:00", "17:00")]}}, '"funday" is not a weekday'),
    ({"week": {0: [("09:00", "12:00", "13:00")]}}, "is not an interval"),
    ({"week": {}}, "no opening hours"),
    ({"holidays": ("XX", None)}, '"XX" is not a country'),
    ({"holidays": ("US", "XX")}, '"XX" is not a subdivision of US'),
    ({"closures": [("2026-08-21", "2026-08-03")]}, "the last day comes before the first"),
    ({"closures": ["August"]}, '"August" is not a date'),
])
def test_bad_calendars_are_refused_with_a_reason(kwargs: dict, message: str) -> None:
    args = {"name": "bad", "tz": "UTC", "week": {0: [("09:00", "17:00")]}} | kwargs
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Calendar(**args)


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        INTEROPION.add(den(2026, 12, 4, 16, 30), -H)


def test_copies_and_pickles_keep_working() -> None:
    import copy
    import pickle

    INTERZEN.add(rome(2026, 12, 7, 17, 0), H)  # with a warm cache
    for clone in (copy.deepcopy(INTERZEN), pickle.loads(pickle.dumps(INTERZEN))):
        assert clone == INTERZEN and hash(clone) == hash(INTERZEN)
        assert clone.add(rome(2026, 12, 7, 17, 0), 4 * H) == rome(2026, 12, 9, 11, 30)
    assert INTERZEN != INTEROPION


def test_pendulum_instants_are_accepted() -> None:
    import pendulum

    start = pendulum.datetime(2026, 12, 4, 16, 30, tz="America/Denver")
    assert INTEROPION.add(start, 4 * H) == den(2026, 12, 7, 9, 30)


def test_closures_as_text() -> None:
    calendar = Calendar("x", "Europe/Rome", {d: [("09:00", "18:00")] for d in range(5)},
                        closures=["2026-08-03..2026-08-21", "2026-12-24"])
    assert calendar.closures == ((date(2026, 8, 3), date(2026, 8, 21)), (date(2026, 12, 24), date(2026, 12, 24)))
    assert calendar.next_open(rome(2026, 8, 1, 0, 0)) == rome(2026, 8, 24, 9, 0)
