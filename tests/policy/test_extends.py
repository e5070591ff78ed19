"""Policies that extend policies: the merge rules, the errors, where each value comes from,
and the contract's version."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slackops.cli import main
from slackops.policy import PolicyError, load

NY = ZoneInfo("America/New_York")
OPENED = datetime(2026, 3, 2, 10, 0, tzinfo=NY)  # a Monday

ACME = """\
extends: comensure
title: Acme's contract
priorities:
  - id: P1
    targets:
      first_response: {duration: 30 minutes, calendar: 24x7}
  - id: P2
    auto_upgrade: null
intake:
  who_may_open: contacts
"""


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def failure(path: Path | str) -> list[str]:
    with pytest.raises(PolicyError) as e:
        load(str(path))
    assert "Traceback" not in str(e.value)
    return str(e.value).splitlines()


def due(cps, key: str) -> datetime:
    return next(c.due_at for c in cps if c.key == key)


def test_an_extending_file_changes_one_number_and_inherits_the_rest(tmp_path, capsys):
    f = write(tmp_path, "acme.yml", ACME)
    pol, base = load(str(f)), load("comensure")
    assert pol.name == "acme" and pol.title == "Acme's contract" and pol.extends == ("comensure",)
    cps = pol.timeline("P1", OPENED)
    assert due(cps, "first_response") == OPENED + timedelta(minutes=30)
    assert due(cps, "update:1") == OPENED + timedelta(hours=8)  # inherited cadence
    assert [c.notify for c in cps if c.kind == "escalation"] == [
        c.notify for c in base.timeline("P1", OPENED) if c.kind == "escalation"]
    assert pol.priority("P2").auto_upgrade is None and base.priority("P2").auto_upgrade is not None
    assert pol.intake.who_may_open == "contacts" and pol.intake.customer_sets_priority
    assert pol.uptime == base.uptime and pol.calendar_info == base.calendar_info

    rc = main(["policy", "timeline", str(f), "--priority", "P1", "--opened", "2026-03-02T10:00", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    first = next(c for c in out["checkpoints"] if c["key"] == "first_response")
    assert first["due_at"] == "2026-03-02T10:30:00-05:00" and first["target"] == "30 minutes"


def test_merge_rules(tmp_path):
    base = write(tmp_path, "base.yml", """\
title: Base
timezone: Europe/Rome
languages: [en, it]
calendars:
  office: {week: {mon-fri: ["09:00-18:00"]}}
  24x7: {hours: 24x7}
  default: office
categories: [{id: bug, labels: {en: Bug, it: Errore}}, {id: howto, labels: {en: How-to, it: Come fare}}]
priorities:
  - id: P1
    label: Urgent
    rank: 1
    definition: Down.
    warn_at: [0.5]
    targets: {first_response: 1 business hour, resolution: 2 business days}
    escalation:
      - {after: 1 hour, notify: [support]}
      - {after: 4 hours, notify: [directors]}
  - id: P2
    label: Normal
    rank: 2
    definition: Slow.
    targets: {first_response: 4 business hours, update_every: 1 business day}
    auto_upgrade: {after: 1 day, to: P1}
intake: {phi_guard: true, notify_on: [acceptance]}
maintenance: {window: {start: "22:00", end: "02:00"}, notice_outside_window: 3 days}
critical_notice_text: {en: Down., it: Giù.}
""")
    write(tmp_path, "contracts/acme.yml", """\
extends: ../base.yml
calendars:
  office: {week: {mon-sat: ["08:00-20:00"]}}
languages: [en]
categories: [{id: other, labels: {en: Other}}]
priorities:
  - id: P1
    warn_at: null
    targets: {first_response: 30 business minutes}
    escalation: [{after: 2 hours, notify: [executives]}]
  - id: P2
    targets: {update_every: null}
    escalation: null
  - id: P0
    label: Outage
    rank: 0
    definition: Everything is down.
    targets: {first_response: {duration: 15 minutes, calendar: 24x7}}
intake: {notify_on: [closure], close_unconfirmed_after: null}
maintenance: {notice_outside_window: 5 days}
critical_notice_text: {it: null}
""")
    with pytest.raises(PolicyError, match=r"contracts/acme.yml: priorities\.P0\.rank: 0 should be greater than or equal to 1"):
        load(str(tmp_path / "contracts" / "acme.yml"))
    f = write(tmp_path, "contracts/acme.yml", (tmp_path / "contracts" / "acme.yml").read_text().replace(
        "rank: 0", "rank: 3"))
    pol = load(str(f))
    p1, p2 = pol.priority("P1"), pol.priority("P2")
    # targets target by target; warn_at null: the policy-wide fractions again
    assert {k: t.text for k, t in p1.targets.items()} == {
        "first_response": "30 business minutes", "resolution": "2 business days"}
    assert p1.warn_at == (0.75,)
    # the ladder is replaced whole; null removes it
    assert [(s.level, s.after.text, s.notify) for s in p1.escalation] == [(1, "2 hours", ("executives",))]
    assert p2.escalation == () and "update_every" not in p2.targets and p2.auto_upgrade.to == "P1"
    # a new priority, with all it needs
    assert [p.id for p in pol.priorities] == ["P1", "P2", "P0"]
    # calendars by name: office replaced whole, the others inherited
    assert pol.calendars["default"] is pol.calendars["office"]
    assert pol.calendar_info["office"].hours == "Mon–Sat 08:00–20:00"
    assert pol.calendar_info["24x7"].hours == "24x7"
    # categories and languages replace
    assert [c.id for c in pol.categories] == ["other"] and pol.languages == ["en"]
    # key by key; null where null is a value: waits for the customer
    assert pol.intake.phi_guard and pol.intake.notify_on == ("closure",)
    assert pol.intake.close_unconfirmed_after is None and pol.unconfirmed_close(OPENED) is None
    assert pol.maintenance.notice_outside_window.text == "5 days"
    assert [f"{t:%H:%M}" for t in pol.maintenance.window] == ["22:00", "02:00"]
    assert pol.critical_notice_text == {"en": "Down."}
    # where each value comes from
    here, there = str(tmp_path / "contracts" / "acme.yml"), str(tmp_path / "base.yml")
    assert pol.extends == (there,)
    assert pol.origin("priorities.P1.targets.first_response") == here
    assert pol.origin("priorities.P1.targets.resolution") == there
    assert pol.origin("priorities.P1.escalation[0].notify") == here
    assert pol.origin("priorities.P2.targets.first_response.duration") == there
    assert pol.origin("calendars.office") == here and pol.origin("calendars.24x7") == there
    assert pol.origin("intake.phi_guard") == there and pol.origin("intake.notify_on") == here
    assert pol.origin("maintenance.window") == there and pol.origin("title") == there
    assert pol.origin("intake.who_may_open") == here  # no document gives it: this policy's own default
    assert load(str(base)).provenance == {}


def test_a_chain_reads_each_base_beside_the_file_that_names_it(tmp_path, monkeypatch):
    write(tmp_path, "shared/enterprise.yml", "extends: comensure\nintake: {who_may_open: contacts}\n")
    write(tmp_path, "contracts/acme.yml",
          "extends: ../shared/enterprise.yml\npriorities: [{id: P3, targets: {first_response: 4 hours}}]\n")
    monkeypatch.chdir(tmp_path / "contracts")
    pol = load("acme.yml")
    assert pol.extends == ("comensure", "../shared/enterprise.yml")
    assert pol.origin("intake.who_may_open") == "../shared/enterprise.yml"
    assert pol.origin("priorities.P3.targets.first_response") == "acme.yml"
    assert pol.origin("priorities.P3.targets.resolution") == "comensure"
    assert pol.priority("P3").targets["first_response"].text == "4 hours"


def test_a_base_edited_later_is_read_again(tmp_path):
    base = write(tmp_path, "base.yml", "extends: comensure\nintake: {who_may_open: contacts}\n")
    f = write(tmp_path, "acme.yml", "extends: base.yml\n")
    assert load(str(f)).intake.who_may_open == "contacts"
    base.write_text("extends: comensure\nintake: {who_may_open: anyone}\n")
    assert load(str(f)).intake.who_may_open == "anyone"


def test_errors_name_the_file_the_field_and_where_an_inherited_value_comes_from(tmp_path):
    f = write(tmp_path, "acme.yml", "extends: comensure\npriorities:\n  - id: P1\n    targets:\n"
                                     "      first_responce: 30 minutes\n      update_every: 8 bussiness hours\n")
    assert sorted(failure(f)) == [
        f"{f}: priorities.P1.targets.first_responce: is not a known field (did you mean first_response?)",
        f'{f}: priorities.P1.targets.update_every: "8 bussiness hours" is not a duration (try "8 business hours")',
    ]
    f = write(tmp_path, "acme.yml", "extends: comensure\ncalendars: {business: null}\n")
    assert failure(f) == [
        f"{f}: priorities.P3.targets.resolution.calendar: 'business' is not a calendar of this policy "
        "(24x7, default) (inherited from comensure)"]
    f = write(tmp_path, "acme.yml", "extends: interzen\nlanguages: [en]\n")
    assert failure(f) == [
        f"{f}: critical_notice_text.it: 'it' is not one of the policy's languages (en) (inherited from interzen)"]


def test_an_unknown_priority_is_new_only_with_all_it_needs(tmp_path):
    f = write(tmp_path, "acme.yml", "extends: comensure\npriorities: [{id: P4, label: Low, rank: 4}]\n")
    assert failure(f) == [
        f"{f}: priorities.P4: 'P4' is not a priority it inherits (P1, P2, P3); a new priority gives "
        "label, rank, definition (definition missing)"]
    f = write(tmp_path, "acme.yml", "extends: comensure\npriorities: [{id: p1, targets: {first_response: 1 hour}}]\n")
    assert failure(f)[0].startswith(f"{f}: priorities.p1: 'p1' is not a priority it inherits (did you mean 'P1'? ")
    f = write(tmp_path, "acme.yml", "extends: comensure\npriorities: [{targets: {first_response: 1 hour}}]\n")
    assert failure(f)[0].startswith(f"{f}: priorities[0]: give the id of the priority it sets")


def test_unknown_bases_and_cycles_are_refused(tmp_path):
    f = write(tmp_path, "acme.yml", "extends: comensur\n")
    (line,) = failure(f)
    assert line.startswith(f"{f}: extends: 'comensur' is not a preset (did you mean 'comensure'? ")
    f = write(tmp_path, "acme.yml", "extends: shared/base.yml\n")
    (line,) = failure(f)
    assert line.startswith(f"{f}: extends: 'shared/base.yml' is not a preset") and "nor a policy file" in line
    f = write(tmp_path, "acme.yml", "extends: [comensure]\n")
    assert failure(f) == [f"{f}: extends: give a preset name or the path of a policy file"]
    write(tmp_path, "a.yml", "extends: b.yml\n")
    write(tmp_path, "b.yml", "extends: c.yml\n")
    write(tmp_path, "c.yml", "extends: a.yml\n")
    a = tmp_path / "a.yml"
    assert failure(a) == [f"{tmp_path / 'c.yml'}: extends: 'a.yml' makes a cycle "
                          f"({a} -> {tmp_path / 'b.yml'} -> {tmp_path / 'c.yml'} -> {a})"]
    f = write(tmp_path, "self.yml", "extends: ./self.yml\n")
    assert failure(f) == [f"{f}: extends: './self.yml' makes a cycle ({f} -> {f})"]


def test_policy_show_marks_where_each_value_comes_from(tmp_path, capsys, monkeypatch):
    write(tmp_path, "acme.yml", ACME)
    monkeypatch.chdir(tmp_path)
    assert main(["policy", "show", "acme.yml"]) == 0
    out = capsys.readouterr().out
    assert "  extends: comensure\n" in out and f"contract version: {load('acme.yml').version}" in out
    rows = {line.split()[0]: line.split()[-1] for line in out.split("Where each value comes from")[1].splitlines()[2:]
            if line.startswith("  ") and not line.startswith("  *")}
    assert rows["title"] == "acme.yml" and rows["timezone"] == "comensure"
    assert rows["priorities.P1.targets.first_response"] == "acme.yml"
    assert rows["priorities.P1.targets.update_every"] == "comensure"
    assert rows["priorities.P1.escalation"] == "comensure" and rows["priorities.P2.auto_upgrade"] == "acme.yml"
    assert rows["intake.who_may_open"] == "acme.yml" and rows["intake.customer_sets_priority"] == "comensure"
    assert '  priorities.P1.targets.first_response  {"duration": "30 minutes", "calendar": "24x7"}' in out
    assert main(["policy", "show", "comensure"]) == 0
    assert "Where each value comes from" not in capsys.readouterr().out
    assert main(["policy", "check", "acme.yml"]) == 0
    assert "acme.yml: ok (3 priorities" in capsys.readouterr().out


# --------------------------------------------------------------------------- versions


def test_the_version_is_stable_across_loads(tmp_path):
    f = write(tmp_path, "acme.yml", ACME)
    v = load(str(f)).version
    assert len(v) == 12 and int(v, 16) >= 0
    g = write(tmp_path, "copy.yml", ACME)
    assert load(str(g)).version == v  # a fresh read, another file
    assert load("comensure").version == load(str(write(tmp_path, "c.yml", "extends: comensure\n"))).version


def test_the_same_terms_written_differently_have_the_same_version(tmp_path):
    v = load(str(write(tmp_path, "acme.yml", ACME))).version
    other = """\
intake:
  customer_sets_priority: true         # what comensure says already
  who_may_open: contacts
priorities:
  - targets: {first_response: {calendar: 24x7, duration: 30 min}}
    id: P1
  - {id: P2, auto_upgrade: null}
  - id: P3
    targets: {first_response: {duration: 8 hours, calendar: 24x7}}   # = comensure
title: Acme's contract
extends: comensure
name: another-name
"""
    assert load(str(write(tmp_path, "other.yml", other))).version == v
    # the same terms as one plain file: the merge leaves nothing of its own in the version
    whole = (Path(load("comensure").source).read_text()
             .replace("title: Comensure", "title: Acme's contract")
             .replace("first_response: {duration: 60 minutes, calendar: 24x7}",
                      "first_response: {duration: 0.5 hours, calendar: 24x7}")
             .replace("  who_may_open: anyone", "  who_may_open: contacts"))
    whole = whole.replace("    auto_upgrade:\n      after: 4 hours\n      calendar: 24x7\n      to: P1\n"
                          "      unless: identified\n", "")
    assert load(str(write(tmp_path, "whole.yml", whole))).version == v


@pytest.mark.parametrize("change", [
    ("30 minutes", "31 minutes"),
    ("calendar: 24x7}", "calendar: business}"),
    ("who_may_open: contacts", "who_may_open: anyone"),
    ("title: Acme's contract", "title: Acme"),
    ("  - id: P2\n    auto_upgrade: null\n", ""),
    ("intake:", "uptime: {target_percent: 99.9}\nintake:"),
    ("intake:", "calendars: {business: {week: {mon-fri: ['08:00-17:00']}}}\nintake:"),
])
def test_any_change_of_a_term_changes_the_version(tmp_path, change):
    v = load(str(write(tmp_path, "acme.yml", ACME))).version
    assert ACME.count(change[0]) == 1
    assert load(str(write(tmp_path, "changed.yml", ACME.replace(*change)))).version != v


def test_the_example_contract_is_valid_and_its_notes_follow_it():
    pol = load(str(Path(__file__).parents[2] / "examples" / "contracts" / "initech.yml"))
    assert pol.extends == ("comensure",) and pol.timezone == "America/Chicago"
    assert pol.priority("P1").targets["first_response"].text == "30 minutes"
    assert set(pol.priority("P2").targets) == {"first_response", "workaround", "update_every"}
    # it gives the time zone: the preset's note that the zone is assumed no longer applies
    assert not any(d.startswith("timezone:") for d in pol.defaults_flagged)
    assert any(d.startswith("calendars.business:") for d in pol.defaults_flagged)
