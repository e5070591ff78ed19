"""Durations as people write them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from slackops.policy.durations import Duration, parse_duration

PARSED = [
    # text, amount, unit, business, calendar_days
    ("2 hours", 2, "hours", False, False),
    ("60 minutes", 60, "minutes", False, False),
    ("1 hour", 1, "hours", False, False),
    ("4 business hours", 4, "hours", True, False),
    ("8 working hours", 8, "hours", True, False),
    ("1 business day", 1, "days", True, False),
    ("30 business days", 30, "days", True, False),
    ("1 working day", 1, "days", True, False),
    ("5 calendar days", 5, "days", False, True),
    ("3 days", 3, "days", False, True),
    ("10 seconds", 10, "seconds", False, False),
    ("2 business minutes", 2, "minutes", True, False),
    ("90 business seconds", 90, "seconds", True, False),
    ("1 Business Hours", 1, "hours", True, False),
    ("  4   BUSINESS   HOUR ", 4, "hours", True, False),
    ("1.5 hours", 1.5, "hours", False, False),
    ("0.5 business days", 0.5, "days", True, False),
    ("eight (8) hours", 8, "hours", False, False),
    ("twenty-four (24) hours", 24, "hours", False, False),
    ("one hour", 1, "hours", False, False),
    ("5 calendar-days", 5, "days", False, True),
    ("30 mins", 30, "minutes", False, False),
    ("4h", 4, "hours", False, False),
]


@pytest.mark.parametrize("text, amount, unit, business, calendar_days", PARSED)
def test_parse(text: str, amount: float, unit: str, business: bool, calendar_days: bool) -> None:
    d = parse_duration(text)
    assert (d.amount, d.unit, d.business, d.calendar_days) == (amount, unit, business, calendar_days)
    assert d.text == " ".join(text.split())
    assert str(d) == d.text


@pytest.mark.parametrize("text, message", [
    ("4 bussiness hours", '"4 bussiness hours" is not a duration (try "4 business hours")'),
    ("1 bussines day", '"1 bussines day" is not a duration (try "1 business day")'),
    ("2 hous", '"2 hous" is not a duration (try "2 hours")'),
    ("5 calender days", '"5 calender days" is not a duration (try "5 calendar days")'),
    ("3 wroking days", '"3 wroking days" is not a duration (try "3 working days")'),
    ("business hours", '"business hours" is not a duration (it needs a number first, e.g. "4 business hours")'),
    ("5", '"5" is not a duration (a number needs a unit'),
    ("5 calendar hours", '"5 calendar hours" is not a duration ("calendar" goes with days; try "5 hours")'),
    ("5 fortnights", '"5 fortnights" is not a duration (use a number and a unit'),
    ("-2 hours", '"-2 hours" is not a duration (it cannot be negative)'),
    ("", "an empty text is not a duration"),
])
def test_bad_durations_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert str(caught.value).startswith(message)


def test_not_a_string() -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(4)  # type: ignore[arg-type]


def test_a_duration_passes_through() -> None:
    d = parse_duration("4 business hours")
    assert parse_duration(d) is d  # type: ignore[arg-type]


def test_frozen_and_comparable() -> None:
    assert parse_duration("4 business hours") == Duration(4, "hours", True, False, "4 business hours")
    with pytest.raises(AttributeError):
        parse_duration("2 hours").amount = 3  # type: ignore[misc]


def test_scaled_for_warnings() -> None:
    d = parse_duration("4 business hours").scaled(0.75)
    assert (d.amount, d.unit, d.business) == (3, "hours", True)
    assert d.text == "3 business hours"
    assert parse_duration("5 calendar days").scaled(0.5).text == "2.5 days"
    assert parse_duration("1 hour").scaled(0.5).text == "0.5 hours"
    assert parse_duration("2 hours").scaled(0.5).text == "1 hour"
    with pytest.raises(ValueError):
        parse_duration("2 hours").scaled(-1)


def test_as_timedelta() -> None:
    assert parse_duration("90 minutes").as_timedelta() == timedelta(minutes=90)
    assert parse_duration("4 business hours").as_timedelta() == timedelta(hours=4)
    assert parse_duration("3 days").as_timedelta() == timedelta(days=3)  # nominal
    assert parse_duration("2 business days").as_timedelta(timedelta(hours=11)) == timedelta(hours=22)
    with pytest.raises(ValueError, match="needs a calendar"):
        parse_duration("2 business days").as_timedelta()


def test_made_by_hand() -> None:
    assert Duration(2, "hours").text == "2 hours"
    assert Duration(1, "days", business=True).text == "1 business day"
    with pytest.raises(ValueError):
        Duration(2, "weeks")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Duration(-1, "hours")
