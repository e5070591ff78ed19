"""A resolved request its customer never confirms closes by itself: when (the policy's
wall clock, across DST), the reminder a day before, and the fields that set both."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from slackops.policy import PolicyError, list_presets, load, parse_policy_text
from tests.policy.test_loader import GOOD


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as e:
        parse_policy_text(text, source="acme.yml")
    return str(e.value).splitlines()


def test_every_preset_closes_after_seven_days_with_a_reminder_the_day_before():
    for name in list_presets():
        p = load(name)
        at = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
        assert p.unconfirmed_close(at) == (datetime(2026, 12, 6, 18, 0, tzinfo=UTC),
                                           datetime(2026, 12, 7, 18, 0, tzinfo=UTC)), name


def test_seven_days_are_the_same_local_time_a_week_later_across_dst():
    p = load("interopion")  # America/Denver: summer time begins on 8 March 2026
    resolved = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)  # 11:00 MST
    remind, close = p.unconfirmed_close(resolved)
    assert close == datetime(2026, 3, 12, 17, 0, tzinfo=UTC)  # 11:00 MDT, 6 days 23 hours later
    assert remind == datetime(2026, 3, 11, 17, 0, tzinfo=UTC)  # 11:00 MDT the day before
    # the reminder's day crosses the change too
    remind, close = p.unconfirmed_close(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    assert (remind, close) == (datetime(2026, 3, 8, 17, 0, tzinfo=UTC), datetime(2026, 3, 9, 17, 0, tzinfo=UTC))


def test_the_periods_are_set_in_the_intake_block_or_turned_off():
    p = parse_policy_text(GOOD + "intake:\n  close_unconfirmed_after: 3 days\n  remind_unconfirmed_before: 4 hours\n")
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert p.unconfirmed_close(at) == (datetime(2026, 12, 4, 5, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    assert parse_policy_text(GOOD + "intake:\n  close_unconfirmed_after: null\n").unconfirmed_close(at) is None


def test_bad_periods_are_named_with_their_field():
    assert problems(GOOD + "intake:\n  close_unconfirmed_after: 2 days\n  remind_unconfirmed_before: 2 days\n") == [
        "acme.yml: intake: remind_unconfirmed_before (2 days) must be shorter than close_unconfirmed_after (2 days)"]
    (line,) = problems(GOOD + "intake:\n  close_unconfirmed_after: 5 business days\n")
    assert line.startswith("acme.yml: intake.close_unconfirmed_after: ") and "wall clock" in line
    (line,) = problems(GOOD + "intake:\n  remind_unconfirmed_before: soon\n")
    assert line.startswith("acme.yml: intake.remind_unconfirmed_before: ")
