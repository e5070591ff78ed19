"""On-call rotations: who is on call at an instant (pure), the hand-offs across a DST change at
the local wall-clock time, overrides (the latest matching one wins), the configuration's
messages, and `slackops oncall`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from slackops.cli import main
from slackops.config import Config
from slackops.oncall import RotationSpec, handoffs, on_call

H = timedelta(hours=1)


def rotation(**kw):
    spec = {"rotation": "daily", "start": "2026-03-23T09:00", "timezone": "Europe/Rome",
            "people": ["U0A", "U0B", "U0C"], **kw}
    return RotationSpec.model_validate(spec).build("directors")


def utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


def test_people_in_turn_from_the_start():
    rot = rotation()
    # 09:00 CET = 08:00 UTC
    assert on_call(rot, utc(2026, 3, 23, 8, 0)) == "U0A"
    assert on_call(rot, utc(2026, 3, 24, 7, 59)) == "U0A"
    assert on_call(rot, utc(2026, 3, 24, 8, 0)) == "U0B"
    assert on_call(rot, utc(2026, 3, 26, 8, 0)) == "U0A"  # round again
    assert on_call(rot, utc(2026, 3, 23, 7, 59)) == "U0C"  # before the start: the turn before


def test_daily_hand_off_across_dst_at_the_local_wall_clock_time():
    rot = rotation()
    # Sun 29 Mar 2026 Rome goes from CET (+1) to CEST (+2): 09:00 local is 07:00 UTC from then
    # (08:59 local on the 29th is still the 28th's turn; 09:00 local hands off)
    assert on_call(rot, utc(2026, 3, 28, 8, 30)) == on_call(rot, utc(2026, 3, 29, 6, 59)) != \
        on_call(rot, utc(2026, 3, 29, 7, 0))
    nxt = handoffs(rot, utc(2026, 3, 28, 12, 0), 2)
    assert [t for t, _ in nxt] == [utc(2026, 3, 29, 7, 0), utc(2026, 3, 30, 7, 0)]
    # and back in October: 09:00 CET is 08:00 UTC again
    assert handoffs(rot, utc(2026, 10, 24, 12, 0), 2)[1][0] == utc(2026, 10, 26, 8, 0)


def test_weekly_and_real_time_rotations():
    weekly = rotation(rotation="weekly", start="2026-01-05T09:00")
    assert on_call(weekly, utc(2026, 1, 12, 8, 0)) == "U0B"
    # the week that holds the spring change is an hour short; the hand-off stays at 09:00 local
    assert handoffs(weekly, utc(2026, 3, 25, 0, 0), 1)[0][0] == utc(2026, 3, 30, 7, 0)
    halves = rotation(rotation="12 hours", start="2026-03-28T21:00")
    # real time: 12 h after 21:00 CET (20:00 UTC) is 08:00 UTC, 10:00 local after the change
    assert handoffs(halves, utc(2026, 3, 28, 21, 0), 1)[0] == (utc(2026, 3, 29, 8, 0), "U0B")


def test_overrides_beat_the_rotation_the_latest_matching_wins():
    rot = rotation(overrides=[
        {"user": "U0X", "from": "2026-03-24T00:00", "to": "2026-03-26T00:00"},
        {"user": "U0Y", "from": "2026-03-25T00:00", "to": "2026-03-25T12:00"},
    ])
    assert on_call(rot, utc(2026, 3, 24, 10, 0)) == "U0X"
    assert on_call(rot, utc(2026, 3, 25, 10, 0)) == "U0Y"  # both match: the later entry wins
    assert on_call(rot, utc(2026, 3, 25, 12, 0)) == "U0X"  # 13:00 local: only the first
    assert on_call(rot, utc(2026, 3, 25, 23, 0)) == "U0C"  # the end is not included: the rotation again
    assert handoffs(rot, utc(2026, 3, 24, 12, 0), 3) == [
        (utc(2026, 3, 24, 23, 0), "U0Y"), (utc(2026, 3, 25, 11, 0), "U0X"), (utc(2026, 3, 25, 23, 0), "U0C")]


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        on_call(rotation(), datetime(2026, 3, 24, 10, 0))


BASE = {"team_id": "T0VENDOR", "agents": ["U0AGENT1"], "managers": {"executives": ["U0EXEC1"], "directors": {
    "rotation": "weekly", "start": "2026-01-05T09:00", "timezone": "Europe/Rome",
    "people": ["U0DIR1", "U0DIR2", "U0DIR3"],
    "overrides": [{"user": "U0DIR4", "from": "2026-12-24T00:00", "to": "2026-12-27T00:00"}]}}}


def test_a_rotation_in_the_configuration():
    cfg = Config.model_validate(BASE)
    assert cfg.managers["directors"] == ["U0DIR1", "U0DIR2", "U0DIR3", "U0DIR4"]  # staff, digests: everyone
    assert cfg.rotation("executives") is None
    rot = cfg.rotation("directors")
    assert rot is not None and on_call(rot, utc(2026, 12, 25, 12, 0)) == "U0DIR4"
    again = Config.model_validate(cfg.model_dump(mode="json"))  # written back and read again
    assert again.rotation("directors") == rot


def _check(tmp_path, capsys, change) -> tuple[int, str]:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    change(raw["managers"]["directors"])
    p = tmp_path / "c.yml"
    p.write_text(yaml.safe_dump(raw))
    rc = main(["config", "check", str(p)])
    return rc, capsys.readouterr().err.replace(str(p), "FILE")


@pytest.mark.parametrize(("change", "line"), [
    (lambda r: r.update(rotation="fortnightly"),
     "FILE: managers.directors.rotation: 'fortnightly' is not daily, weekly or a duration such as \"12 hours\""),
    (lambda r: r.update(rotation="8 business hours"),
     "FILE: managers.directors.rotation: '8 business hours': a rotation runs on the clock, not on business hours"),
    (lambda r: r.update(start="2026-01-05 nine"),
     "FILE: managers.directors.start: '2026-01-05 nine' is not a local date and time (e.g. 2026-01-05T09:00)"),
    (lambda r: r.update(timezone="Europe/Roma"),
     "FILE: managers.directors.timezone: 'Europe/Roma' is not an IANA time zone (e.g. Europe/Rome)"),
    (lambda r: r.update(people=["bob"]), "FILE: managers.directors.people: 'bob' is not a Slack user id"),
    (lambda r: r["overrides"][0].update(to="2026-12-20T00:00"),
     "FILE: managers.directors.overrides[0]: 'to' (2026-12-20T00:00) must come after 'from' (2026-12-24T00:00)"),
    (lambda r: r["overrides"][0].pop("from"), "FILE: managers.directors.overrides[0].from: is required"),
    (lambda r: r.update(every="day"), "FILE: managers.directors.every: is not a known field"),
])
def test_config_check_names_the_file_and_the_field(tmp_path, capsys, change, line):
    rc, err = _check(tmp_path, capsys, change)
    assert rc == 2 and err.strip() == line, err


def test_the_oncall_command(tmp_path, capsys):
    p = tmp_path / "c.yml"
    p.write_text(yaml.safe_dump(BASE))
    assert main(["oncall", "--config", str(p), "--at", "2026-12-21T08:00+01:00"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "directors (weekly rotation, Europe/Rome): U0DIR2 is on call at Mon 21 Dec 2026 08:00 CET",
        "  from Mon 21 Dec 2026 09:00 CET: U0DIR3",
        "  from Thu 24 Dec 2026 00:00 CET: U0DIR4",
        "  from Sun 27 Dec 2026 00:00 CET: U0DIR3",
    ]
    assert main(["oncall", "executives", "--config", str(p)]) == 0
    assert "executives: not a rotation; everyone is reached (U0EXEC1)" in capsys.readouterr().out
    assert main(["oncall", "directors", "--config", str(p), "--at", "2026-12-21T08:00"]) == 2
    assert "--at: '2026-12-21T08:00' has no UTC offset" in capsys.readouterr().err
    assert main(["oncall", "chefs", "--config", str(p)]) == 2
    assert "'chefs' is not a role of managers: (directors, executives)" in capsys.readouterr().err
