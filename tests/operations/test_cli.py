"""``slackops maintenance`` and ``slackops status-token`` on an embedded Redis of their own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from slackops.cli import main
from tests.requests.helpers import config


@pytest.fixture
def cli(tmp_path, monkeypatch, namespace):
    cfg_file = tmp_path / "slackops.yml"
    cfg_file.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SLACKOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLACKOPS_CONFIG", str(cfg_file))
    return ["--prefix", namespace]


def _noon_denver(days: int) -> datetime:
    d = (datetime.now(UTC) + timedelta(days=days)).astimezone(ZoneInfo("America/Denver")).date()
    return datetime(d.year, d.month, d.day, 12, tzinfo=ZoneInfo("America/Denver"))


def test_add_list_change_cancel(cli, capsys):
    six = _noon_denver(6)
    code = main(["maintenance", "add", "--start", six.isoformat(), "--end", (six + timedelta(hours=1)).isoformat(),
                 "--accounts", "opi", *cli])
    err = capsys.readouterr().err
    assert code == 2 and "Opi: Interopion needs 7 days notice" in err and "earliest allowed start" in err
    eight = _noon_denver(8)
    assert main(["maintenance", "add", "--start", eight.isoformat(), "--end", (eight + timedelta(hours=2)).isoformat(),
                 "--accounts", "opi,zen", "--impact", "degraded", "--note", "disk swap", *cli]) == 0
    assert capsys.readouterr().out.startswith("MNT-1 scheduled:")
    soon = datetime.now(UTC) + timedelta(minutes=10)
    assert main(["maintenance", "add", "--start", soon.isoformat(), "--end", (soon + timedelta(hours=1)).isoformat(),
                 "--emergency", *cli]) == 0
    capsys.readouterr()
    assert main(["maintenance", "list", "--json", *cli]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["id"], i["accounts"], i["impact"], i["emergency"]) for i in items] == [
        ("MNT-2", None, "unavailable", True), ("MNT-1", ["opi", "zen"], "degraded", False)]
    later = _noon_denver(9)
    assert main(["maintenance", "change", "MNT-1", "--start", later.isoformat(),
                 "--end", (later + timedelta(hours=1)).isoformat(), *cli]) == 0
    assert "version 2" in capsys.readouterr().out
    assert main(["maintenance", "cancel", "MNT-2", "--reason", "not needed", *cli]) == 0
    capsys.readouterr()
    assert main(["maintenance", "list", *cli]) == 0
    out = capsys.readouterr().out
    assert "MNT-1" in out and "MNT-2" not in out and "“disk swap”" in out
    assert f"{later.astimezone(UTC).isoformat(timespec='minutes')} → " in out  # ISO 8601 to the minute, its offset
    assert main(["maintenance", "cancel", "MNT-9", *cli]) == 2
    assert "there is no maintenance MNT-9" in capsys.readouterr().err
    assert main(["maintenance", "add", "--start", "tomorrow", "--end", "later", *cli]) == 2
    assert "is not an ISO 8601 date" in capsys.readouterr().err
    assert main(["maintenance", "add", "--start", "2027-01-01T10:00", "--end", "2027-01-01T11:00", *cli]) == 2
    assert "no time zone offset" in capsys.readouterr().err


def test_status_token_rotates(cli, capsys):
    assert main(["status-token", "acme", *cli]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["status-token", "acme", *cli]) == 0
    assert capsys.readouterr().out.strip() == first
    assert main(["status-token", "acme", "--rotate", *cli]) == 0
    second = capsys.readouterr().out.strip()
    assert second != first and second.startswith("/status/acme?token=")
    assert main(["status-token", "nobody", *cli]) == 2
