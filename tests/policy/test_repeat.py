"""``repeat`` on an escalation step: the schema's messages, and the repeats as checkpoints of
their own, void once acknowledged, resolved or (``unless: plan``) planned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from slackops.policy import PolicyError, parse_policy_text

TEXT = """\
title: Acme
timezone: America/New_York
calendars:
  business: {week: {mon-fri: ["08:00-18:00"]}}
  24x7: {hours: 24x7}
  default: 24x7
priorities:
  - id: P1
    label: Critical
    rank: 1
    definition: Down.
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
    escalation:
      - {level: 1, after: 1 hours, notify: [directors], REPEAT}
      - {level: 2, after: 5 hours, notify: [executives], unless: [resolved]}
"""
MIN = timedelta(minutes=1)
# Fri 4 Dec 2026 16:00 EST
FRI = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)


def policy(repeat: str = "repeat: {every: 30 minutes, times: 3}"):
    return parse_policy_text(TEXT.replace("REPEAT", repeat), source="acme.yml")


def problems(repeat: str) -> list[str]:
    with pytest.raises(PolicyError) as e:
        policy(repeat)
    assert "Traceback" not in str(e.value)
    return str(e.value).splitlines()


def test_repeat_is_read_with_its_calendar():
    step = policy().priority("P1").escalation[0]
    assert step.repeat is not None and (step.repeat.every.text, step.repeat.times) == ("30 minutes", 3)
    assert policy("calendar: business").priority("P1").escalation[0].repeat is None


@pytest.mark.parametrize(("repeat", "line"), [
    ("repeat: {every: 0 minutes, times: 2}",
     "acme.yml: priorities[0].escalation[0].repeat.every: '0 minutes' is not a positive duration"),
    ("repeat: {every: 30 minuts, times: 2}", "acme.yml: priorities[0].escalation[0].repeat.every: "),
    ("repeat: {every: 30 minutes, times: 0}", "acme.yml: priorities[0].escalation[0].repeat.times: "),
    ("repeat: {every: 30 minutes}", "acme.yml: priorities[0].escalation[0].repeat.times: "),
    ("repeat: {every: 30 minutes, times: 2, until: ack}", "acme.yml: priorities[0].escalation[0].repeat.until: "),
])
def test_bad_repeat_names_the_file_and_field(repeat, line):
    (got,) = problems(repeat)
    assert got.startswith(line), got


def test_repeats_are_checkpoints_of_their_own():
    cps = {c.key: c for c in policy().timeline("P1", FRI, now=FRI + 95 * MIN)}
    keys = [k for k in cps if k.startswith("escalation:1")]
    assert keys == ["escalation:1", "escalation:1:repeat:1", "escalation:1:repeat:2", "escalation:1:repeat:3"]
    assert [cps[k].due_at.astimezone(UTC) - FRI for k in keys] == [60 * MIN, 90 * MIN, 120 * MIN, 150 * MIN]
    assert [cps[k].state for k in keys] == ["breached", "breached", "pending", "pending"]
    assert {cps[k].level for k in keys} == {1} and cps["escalation:1:repeat:2"].kind == "escalation"
    assert "escalation:2:repeat:1" not in cps  # a step without repeat is as before


def test_repeats_follow_the_steps_calendar():
    # Fri 16:00 + 1 hour = 17:00; then every 30 business minutes: 17:30, 18:00, Mon 08:30
    pol = policy("calendar: business, repeat: {every: 30 business minutes, times: 3}")
    cps = {c.key: c for c in pol.timeline("P1", FRI, now=FRI)}
    assert [cps[f"escalation:1:repeat:{k}"].due_at for k in (1, 2, 3)] == [
        datetime(2026, 12, 4, 22, 30, tzinfo=UTC), datetime(2026, 12, 4, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 13, 30, tzinfo=UTC)]


def test_an_acknowledgement_voids_the_repeats_after_it():
    pol = policy()
    acked = FRI + 100 * MIN
    cps = {c.key: c for c in pol.timeline("P1", FRI, now=FRI + 3 * 60 * MIN, escalation_acks=[(1, acked)])}
    assert [cps[f"escalation:1:repeat:{k}"].state for k in (1, 2, 3)] == ["breached", "void", "void"]
    assert cps["escalation:1"].state == "breached"
    # acknowledging level 2 acknowledges the levels below it; a level-2 acknowledgement
    # of someone else's level does not stop level 1's repeats before it
    cps = {c.key: c for c in pol.timeline("P1", FRI, now=FRI, escalation_acks=[(2, acked)])}
    assert cps["escalation:1:repeat:2"].state == "void"


@pytest.mark.parametrize("fact", ["resolved_at", "plan_at"])
def test_a_resolution_or_a_plan_voids_the_repeats(fact):
    cps = {c.key: c for c in policy().timeline("P1", FRI, now=FRI + 4 * 60 * MIN, **{fact: FRI + 70 * MIN})}
    assert [cps[f"escalation:1:repeat:{k}"].state for k in (1, 2, 3)] == ["void", "void", "void"]


def test_no_repeats_of_a_step_that_never_fell_due():
    cps = {c.key for c in policy().timeline("P1", FRI, now=FRI, resolved_at=FRI + 10 * MIN)}
    assert not [k for k in cps if ":repeat:" in k]


def test_explain_a_repeat():
    pol = policy()
    words = pol.explain("P1", FRI, kind="escalation", key="escalation:1:repeat:2", now=FRI)
    assert "repeat 2 of 3" in words and "from the previous notice at Fri 4 Dec 17:30 EST" in words
    assert "due Fri 4 Dec 18:00 EST" in words and "waiting on the customer" not in words


def test_policy_show_says_it(tmp_path, capsys):
    from slackops.cli import main

    f = tmp_path / "acme.yml"
    f.write_text(TEXT.replace("REPEAT", "repeat: {every: 30 minutes, times: 3}"))
    assert main(["policy", "show", str(f)]) == 0
    assert ("P1 escalation 1: after 1 hours notify directors unless resolved or plan; again every 30 minutes, "
            "3 times at most, until acknowledged") in capsys.readouterr().out
