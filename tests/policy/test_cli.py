"""``slackops policy ...`` through slackops.cli.main, and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from slackops.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["policy", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for name in ("interopion", "ixcloud", "interactor", "interzen", "comensure"):
        assert name in out
    assert "default=us" in out


def test_show_flags_defaults(capsys):
    code, out, _ = run(capsys, "show", "interactor")
    assert code == 0
    assert "1 business hour *default" in out
    assert "Defaults (the source document gives no number" in out
    assert "priorities[0].targets.first_response" in out
    code, out, _ = run(capsys, "show", "interopion")
    assert "Defaults: none" in out
    assert "2 hours [24x7]" in out and "4 business hours [business]" in out
    assert "window 19:00–04:00 America/Denver" in out and "7 days notice" in out


def test_show_names_the_source_document_by_title_and_date(capsys):
    code, out, _ = run(capsys, "show", "ixcloud")
    assert code == 0
    assert out.splitlines()[0] == "IXCloud (ixcloud); source: IXCloud SaaS Support Policies, effective 15 May 2020"
    for name in ("interopion", "ixcloud", "interactor", "interzen", "comensure"):
        code, out, _ = run(capsys, "show", name)
        assert code == 0 and "; source: " in out.splitlines()[0]
        assert ".txt" not in out and "SPEC" not in out


def test_show_comensure_ladder_and_uptime(capsys):
    code, out, _ = run(capsys, "show", "comensure")
    assert code == 0
    assert "P1 escalation 2: after 5 hours [24x7] notify directors unless resolved or plan" in out
    assert "P2 auto-upgrade: to P1 after 4 hours [24x7] unless identified" in out
    assert "Uptime: 99% monthly" in out and "*default" in out


def test_check_good_and_bad(tmp_path: Path, capsys):
    good = Path(__file__).parents[2] / "slackops" / "policy" / "presets" / "interopion.yml"
    code, out, _ = run(capsys, "check", str(good))
    assert code == 0 and out.startswith(f"{good}: ok (3 priorities, 3 calendars)")
    bad = tmp_path / "acme.yml"
    bad.write_text(good.read_text().replace("first_response: {duration: 4 business hours",
                                            'first_response: {duration: "4 bussiness hours"'))
    code, out, err = run(capsys, "check", str(bad))
    assert code == 2 and out == ""
    assert err == (f'{bad}: priorities[1].targets.first_response.duration: "4 bussiness hours" '
                   'is not a duration (try "4 business hours")\n')
    bad.write_text("title: [\n")
    code, _, err = run(capsys, "check", str(bad))
    assert code == 2 and "not valid YAML" in err and "Traceback" not in err


def test_timeline_json(capsys):
    code, out, _ = run(capsys, "timeline", "interopion", "--priority", "P2",
                       "--opened", "2026-12-04T16:30:00-07:00", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["policy"] == "interopion" and data["priority"] == "P2"
    assert data["opened_at"] == "2026-12-04T16:30:00-07:00"
    (cp,) = data["checkpoints"]
    assert cp["kind"] == "first_response" and cp["due_at"] == "2026-12-07T09:30:00-07:00"
    assert "level" not in cp


def test_timeline_json_escalation_levels_and_calendar_zone(capsys):
    # Comensure P1 opened 2026-11-01T04:30Z (00:30 EDT): the ladder across the DST change
    code, out, _ = run(capsys, "timeline", "comensure", "--priority", "P1",
                       "--opened", "2026-11-01T04:30:00Z", "--json")
    data = json.loads(out)
    esc = [(c["level"], c["due_at"]) for c in data["checkpoints"] if c["kind"] == "escalation"]
    assert esc == [(1, "2026-11-01T00:30:00-04:00"), (2, "2026-11-01T04:30:00-05:00"),
                   (3, "2026-11-01T07:30:00-05:00")]
    assert data["opened_at"] == "2026-11-01T00:30:00-04:00"
    code, out, _ = run(capsys, "timeline", "interactor", "--priority", "S2", "--calendar", "kr",
                       "--opened", "2026-09-24T10:00", "--json")
    data = json.loads(out)
    assert data["checkpoints"][0]["due_at"] == "2026-09-28T13:00:00+09:00"  # after Chuseok


def test_timeline_table(capsys):
    code, out, _ = run(capsys, "timeline", "comensure", "--priority", "P2", "--opened", "2026-12-04T15:00",
                       "--now", "2026-12-04T20:00")
    assert code == 0
    assert "auto_upgrade" in out and "breached" in out and "Fri 4 Dec 19:00 EST" in out


def test_explain(capsys):
    code, out, _ = run(capsys, "explain", "interopion", "--priority", "P2",
                       "--opened", "2026-12-04T16:30-07:00", "--kind", "first_response")
    assert code == 0
    assert ("1 h 30 min on Fri 4 Dec until 18:00, then 2 h 30 min on Mon 7 Dec from 07:00: "
            "due Mon 7 Dec 09:30 MST") in out
    code, out, _ = run(capsys, "explain", "comensure", "--priority", "P1", "--opened", "2026-12-04T15:00",
                       "--kind", "escalation", "--key", "escalation:2")
    assert code == 0 and "escalation level 2 (notify directors)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["timeline", "nosuch", "--priority", "P1", "--opened", "2026-12-04T10:00"], "'nosuch' is not a preset"),
        (["timeline", "interopion", "--priority", "P9", "--opened", "2026-12-04T10:00"],
         "'P9' is not a priority of interopion (P1, P2, P3)"),
        (["timeline", "interopion", "--priority", "P1", "--opened", "tomorrow"],
         "--opened: 'tomorrow' is not an ISO 8601 instant"),
        (["timeline", "interopion", "--priority", "P1", "--opened", "2026-12-04T10:00", "--calendar", "kr"],
         "'kr' is not a calendar of interopion"),
        (["explain", "interopion", "--priority", "P2", "--opened", "2026-12-04T10:00", "--kind", "resolution"],
         "interopion P2 has no resolution checkpoint"),
        (["show", "missing.yml"], "missing.yml: no such policy file"),
    ],
)
def test_bad_arguments_are_one_plain_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_through_a_real_process(tmp_path: Path):
    ok = subprocess.run(
        [sys.executable, "-m", "slackops.cli", "policy", "timeline", "ixcloud", "--priority", "S1",
         "--opened", "2026-12-05T23:30:00+00:00", "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["checkpoints"][0]["due_at"] == "2026-12-06T00:30:00+00:00"
    bad = subprocess.run(
        [sys.executable, "-m", "slackops.cli", "policy", "timeline", "ixcloud", "--priority", "S9",
         "--opened", "2026-12-05T23:30"],
        capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr == "'S9' is not a priority of ixcloud (S1, S2, S3, S4)\n"
