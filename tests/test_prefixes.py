"""Two desks on one Redis, told apart by their key prefix (``SLACKOPS_PREFIX``, carried by
the settings): no command of one desk reads or changes the other's keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from slackops.cli import main
from slackops.config import Settings
from slackops.requests import RequestStore
from slackops.requests.redis_server import connect
from tests.requests.helpers import config


@pytest.fixture
def desks(tmp_path, monkeypatch, namespace):
    cfg_file = tmp_path / "slackops.yml"
    cfg_file.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SLACKOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLACKOPS_CONFIG", str(cfg_file))
    return f"{namespace}a", f"{namespace}b"


def _as(monkeypatch, prefix: str, capsys, *argv: str) -> tuple[int, str, str]:
    """``slackops ARGV`` with SLACKOPS_PREFIX=prefix (no --prefix): (status, out, err)."""
    monkeypatch.setenv("SLACKOPS_PREFIX", prefix)
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_settings_carry_the_prefix():
    assert Settings.from_env({}).prefix == "slackops"
    assert Settings.from_env({"SLACKOPS_PREFIX": "desk2"}).prefix == "desk2"


def test_two_desks_on_one_redis_never_see_each_other(desks, monkeypatch, capsys, tmp_path):
    a, b = desks
    with connect(Settings(data_dir=str(tmp_path / "data"))) as (client, _):
        RequestStore(client, config(), prefix=a).open(
            "acme", title="Nobody can log in", priority="P1", submitted_by="U0ACME1", now=datetime.now(UTC))
    d = (datetime.now(UTC) + timedelta(days=8)).astimezone(ZoneInfo("America/Denver")).date()
    start = datetime(d.year, d.month, d.day, 12, tzinfo=ZoneInfo("America/Denver"))
    code, out, _ = _as(monkeypatch, a, capsys, "maintenance", "add", "--start", start.isoformat(),
                       "--end", (start + timedelta(hours=1)).isoformat(), "--accounts", "zen")
    assert code == 0 and out.startswith("MNT-1 scheduled:")
    code, token_a, _ = _as(monkeypatch, a, capsys, "status-token", "acme")
    assert code == 0

    # desk A sees its own
    code, out, _ = _as(monkeypatch, a, capsys, "requests", "list")
    assert code == 0 and "ACME-1" in out
    code, out, _ = _as(monkeypatch, a, capsys, "report", "--format", "json")
    assert code == 0 and "ACME-1" in out

    # desk B sees none of it, through every command that reads the desk
    code, out, _ = _as(monkeypatch, b, capsys, "requests", "list")
    assert (code, out.strip()) == (0, "no requests")
    code, _, err = _as(monkeypatch, b, capsys, "requests", "show", "ACME-1")
    assert code == 2 and "ACME-1" in err
    code, out, _ = _as(monkeypatch, b, capsys, "maintenance", "list", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = _as(monkeypatch, b, capsys, "report", "--format", "json")
    assert code == 0 and "ACME-1" not in out
    code, token_b, _ = _as(monkeypatch, b, capsys, "status-token", "acme")
    assert code == 0 and token_b != token_a
    code, out, _ = _as(monkeypatch, b, capsys, "backup", "--to", str(tmp_path / "backups-b"))
    assert code == 0 and ": 0 requests, 0 history entries" in out

    # and B's first request and maintenance are its own first, not A's second
    with connect(Settings(data_dir=str(tmp_path / "data"))) as (client, _):
        assert RequestStore(client, config(), prefix=b).open(
            "acme", title="Slow search", priority="P3", submitted_by="U0ACME1", now=datetime.now(UTC)).id == "ACME-1"
    code, out, _ = _as(monkeypatch, b, capsys, "maintenance", "add", "--start", start.isoformat(),
                       "--end", (start + timedelta(hours=1)).isoformat(), "--accounts", "zen")
    assert code == 0 and out.startswith("MNT-1 scheduled:")

    # an explicit --prefix still wins over the settings'
    code, out, _ = _as(monkeypatch, b, capsys, "requests", "show", "ACME-1", "--prefix", a)
    assert code == 0 and "Nobody can log in" in out
