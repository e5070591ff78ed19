"""Loading and validating policy files: every kind of problem is one plain line."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from slackops.errors import ConfigError
from slackops.policy import PolicyError, list_presets, load, parse_policy_text

GOOD = """\
title: Acme
timezone: America/Denver
calendars:
  business: {week: {mon-fri: ["07:00-18:00"]}}
  24x7: {hours: 24x7}
  default: business
priorities:
  - id: P1
    label: Critical
    rank: 1
    definition: Down.
    targets:
      first_response: {duration: 2 hours, calendar: 24x7}
  - id: P2
    label: High
    rank: 2
    definition: Impaired.
    targets:
      first_response: 4 business hours
"""


def problems(text: str, source: str = "acme.yml") -> list[str]:
    with pytest.raises(PolicyError) as e:
        parse_policy_text(text, source=source)
    assert "Traceback" not in str(e.value)
    return str(e.value).splitlines()


def test_a_good_file_loads_from_a_path(tmp_path: Path):
    f = tmp_path / "acme.yml"
    f.write_text(GOOD)
    pol = load(str(f))
    assert pol.name == "acme" and pol.title == "Acme"
    assert [p.id for p in pol.priorities] == ["P1", "P2"]
    assert set(pol.calendars) == {"business", "24x7", "default"}
    assert pol.calendars["default"] is pol.calendars["business"]
    assert pol.priority("P2").warn_at == (0.75,)
    assert pol.priority("p2").id == "P2"
    assert pol.categories == [] and pol.languages == ["en"]
    assert set(pol.critical_notice_text) == {"en"}
    assert pol.defaults_flagged == []
    assert load(f) is load(str(f))  # cached while the file is unchanged


def test_policy_error_is_a_config_error():
    assert issubclass(PolicyError, ConfigError)


def test_bad_duration_names_file_path_and_suggestion():
    text = GOOD.replace("first_response: 4 business hours", 'first_response: "4 bussiness hours"')
    assert problems(text) == [
        'acme.yml: priorities[1].targets.first_response: "4 bussiness hours" is not a duration '
        '(try "4 business hours")'
    ]


def test_bad_duration_in_the_long_form_and_a_bare_number():
    text = GOOD.replace("{duration: 2 hours, calendar: 24x7}", "{duration: 2 hourz, calendar: 24x7}")
    (line,) = problems(text)
    assert line.startswith('acme.yml: priorities[0].targets.first_response.duration: "2 hourz" is not a duration')
    text = GOOD.replace("first_response: 4 business hours", "first_response: 4")
    assert problems(text) == [
        'acme.yml: priorities[1].targets.first_response: 4 is not a duration (write the unit too, e.g. "4 hours")'
    ]


def test_one_line_per_problem():
    text = GOOD.replace("first_response: 4 business hours", 'first_response: "4 bussiness hours"').replace(
        "definition: Down.", "definition: Down.\n    colour: red")
    lines = problems(text)
    assert len(lines) == 2
    assert "acme.yml: priorities[0].colour: is not a known field" in lines
    assert any("priorities[1].targets.first_response" in x for x in lines)


def test_yaml_syntax_error():
    (line,) = problems("title: [unclosed\ntimezone: UTC\n")
    assert re.match(r"acme\.yml: not valid YAML \(line \d+, column \d+\): ", line)


def test_unknown_field_with_a_suggestion():
    text = GOOD.replace("first_response: 4 business hours", "first_responce: 4 business hours")
    assert problems(text) == [
        "acme.yml: priorities[1].targets.first_responce: is not a known field (did you mean first_response?)"
    ]


def test_unknown_calendar_referenced_by_a_target():
    text = GOOD.replace("calendar: 24x7}", "calendar: 24X7}")
    assert problems(text) == [
        "acme.yml: priorities[0].targets.first_response.calendar: '24X7' is not a calendar of this policy "
        "(did you mean '24x7'?)"
    ]


def test_unknown_or_wrong_priority_in_auto_upgrade():
    text = GOOD + "    auto_upgrade: {after: 4 hours, to: P0}\n"
    assert problems(text) == [
        "acme.yml: priorities[1].auto_upgrade.to: 'P0' is not a priority of this policy (P1, P2)"
    ]
    text = GOOD.replace("      first_response: {duration: 2 hours, calendar: 24x7}\n",
                        "      first_response: {duration: 2 hours, calendar: 24x7}\n"
                        "    auto_upgrade: {after: 4 hours, to: P2}\n")
    assert problems(text) == ["acme.yml: priorities[0].auto_upgrade.to: 'P2' is not more urgent than 'P1'"]


def test_duplicate_ids_and_ranks():
    text = GOOD.replace("id: P2", "id: P1").replace("rank: 2", "rank: 1")
    assert problems(text) == [
        "acme.yml: priorities[1].id: 'P1' is already the id of priorities[0]",
        "acme.yml: priorities[1].rank: 1 is already the rank of priorities[0]",
    ]


def test_missing_and_mistyped_fields():
    assert problems(GOOD.replace("    definition: Down.\n", "")) == [
        "acme.yml: priorities[0].definition: is required"]
    assert problems(GOOD.replace("rank: 1", "rank: one")) == [
        'acme.yml: priorities[0].rank: "one" should be a valid integer, unable to parse string as an integer']
    assert problems(GOOD.replace("rank: 1", "rank: 0")) == [
        "acme.yml: priorities[0].rank: 0 should be greater than or equal to 1"]
    assert problems("title: T\ntimezone: UTC\npriorities: []\n") == [
        "acme.yml: priorities: needs at least 1 item"]
    assert problems("- a\n- b\n") == [
        "acme.yml: (top level): must be a mapping (title, timezone, priorities, ...)"]
    assert problems(GOOD + "languages: [en, fr]\n") == [
        "acme.yml: languages[1]: \"fr\" should be 'en' or 'it'"]


def test_calendar_problems():
    assert problems(GOOD.replace("America/Denver", "Mars/Olympus")) == [
        "acme.yml: timezone: 'Mars/Olympus' is not an IANA time zone (e.g. America/Denver, Europe/Rome)"]
    assert problems(GOOD.replace('{week: {mon-fri: ["07:00-18:00"]}}', '{week: {mon-fri: ["7-18"]}}')) == [
        "acme.yml: calendars.business.week: '7' is not a time of day (HH:MM, 00:00 to 24:00)"]
    assert problems(GOOD.replace('{week: {mon-fri: ["07:00-18:00"]}}',
                                 '{week: {mon-fri: ["07:00-18:00"]}, holidays: XX}')) == [
        "acme.yml: calendars.business.holidays: 'XX' is not a country (or subdivision) the holidays package knows"]
    assert problems(GOOD.replace('{week: {mon-fri: ["07:00-18:00"]}}', '{week: {weekdays: ["07:00-18:00"]}}')) == [
        "acme.yml: calendars.business.week: 'weekdays' is not a day or a range of days (e.g. mon-fri)"]
    assert problems(GOOD.replace('{week: {mon-fri: ["07:00-18:00"]}}', "{}")) == [
        'acme.yml: calendars.business: give either hours: 24x7 or week: {mon-fri: ["09:00-17:00"]}']
    assert problems(GOOD.replace("default: business", "default: busy")) == [
        "acme.yml: calendars.default: 'busy' is not a calendar of this policy (24x7, business)"]
    assert problems(GOOD.replace("  default: business\n", "")) == [
        "acme.yml: calendars: name one 'default' (a calendar, or an alias such as default: business)"]
    assert problems(GOOD.replace('{week: {mon-fri: ["07:00-18:00"]}}',
                                 '{week: {mon-fri: ["07:00-18:00"]}, closures: ["2026-13-01"]}')) == [
        "acme.yml: calendars.business.closures: '2026-13-01' is not a closure "
        "(a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD)"]


def test_one_calendar_becomes_the_default_and_none_means_24x7():
    one = GOOD.replace("  24x7: {hours: 24x7}\n  default: business\n", "").replace(", calendar: 24x7", "")
    pol = parse_policy_text(one)
    assert pol.calendars["default"] is pol.calendars["business"]
    none = "title: T\ntimezone: Europe/Rome\npriorities: [{id: A, label: a, rank: 1, definition: d}]\n"
    pol = parse_policy_text(none)
    assert pol.calendars["default"].describe() == "24x7 Europe/Rome"


def test_other_problems():
    assert problems(GOOD + "warn_at: [1.5]\n") == [
        "acme.yml: warn_at: 1.5 is not a fraction of a target between 0 and 1 (e.g. 0.75)"]
    assert problems(GOOD + "languages: [en, it]\ncategories: [{id: bug, labels: {en: Bug}}]\n") == [
        "acme.yml: categories[0].labels: no label in 'it' (the policy's languages: en, it)"]
    assert problems(GOOD + "intake: {needs_24x7_contact: [S1]}\n") == [
        "acme.yml: intake.needs_24x7_contact[0]: 'S1' is not a priority of this policy (P1, P2)"]
    assert problems(GOOD + "intake: {who_may_open: everybody}\n") == [
        "acme.yml: intake.who_may_open: \"everybody\" should be 'contacts' or 'anyone'"]
    text = GOOD.replace("      first_response: 4 business hours\n",
                        "      first_response: 4 business hours\n      update: 1 hour\n      update_every: 2 hours\n")
    assert problems(text) == [
        "acme.yml: priorities[1].targets: give update_every (a cadence) or update (a single target), not both"]
    text = GOOD + ("    escalation:\n      - {level: 2, after: 1 hour, notify: [directors]}\n"
                   "      - {level: 1, after: 2 hours, notify: []}\n")
    assert problems(text) == ["acme.yml: priorities[1].escalation[1].notify: needs at least 1 item"]


def test_unknown_preset_and_missing_file():
    with pytest.raises(PolicyError, match=r"'interopio' is not a preset \(did you mean 'interopion'\?"):
        load("interopio")
    with pytest.raises(PolicyError, match=r"nope\.yml: no such policy file"):
        load("nope.yml")


def test_closures_from_the_operator():
    pol = load("interzen", closures=["2026-08-10..2026-08-21", date(2026, 12, 24)])
    cal = pol.calendars["default"]
    assert cal.closures == ((date(2026, 8, 10), date(2026, 8, 21)), (date(2026, 12, 24), date(2026, 12, 24)))
    assert pol.calendars["working"] is cal
    assert not cal.is_open(datetime(2026, 8, 12, 10, 0, tzinfo=UTC))
    # a calendar that does not take them is left alone
    assert load("interopion", closures=["2026-12-07"]).calendars["default"].is_open(
        datetime(2026, 12, 7, 16, 0, tzinfo=UTC))


def test_the_complete_example_of_the_docs_is_valid():
    doc = (Path(__file__).parents[2] / "docs" / "policy.md").read_text()
    block = re.search(r"## The policy file, complete\n\n```yaml\n(.*?)```", doc, re.S)
    assert block
    pol = parse_policy_text(block.group(1), source="docs/policy.md")
    assert pol.name == "acme" and len(pol.defaults_flagged) == 2
    assert pol.priority("P2").auto_upgrade.to == "P1"


@pytest.mark.parametrize("name", ["comensure", "interactor", "interopion", "interzen", "ixcloud"])
def test_every_preset_is_valid(name):
    assert name in list_presets()
    pol = load(name)
    assert pol.title and pol.priorities and pol.source.endswith(f"{name}.yml")


def test_bad_closures_from_the_operator_are_a_policy_error():
    with pytest.raises(PolicyError, match=r"closures: '2026-13-01' is not a closure"):
        load("interzen", closures=["2026-13-01"])
    assert load("interzen", closures=["2026-08-10"]) is load("interzen", closures=["2026-08-10"])


def test_unquoted_times_of_the_maintenance_window():
    # YAML 1.1 reads 19:00 as the base-60 integer 1140: taken back as "19:00"
    pol = parse_policy_text(
        "title: T\ntimezone: America/Denver\npriorities: [{id: A, label: a, rank: 1, definition: d}]\n"
        "maintenance: {window: {start: 19:00, end: 04:00}}\n")
    assert pol.maintenance is not None
    assert [f"{t:%H:%M}" for t in pol.maintenance.window] == ["19:00", "04:00"]
