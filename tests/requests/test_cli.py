"""``slackops requests list`` and ``slackops requests show`` on an embedded server of their own."""

from __future__ import annotations

import pytest
import yaml

from slackops.cli import main
from slackops.config import Settings
from slackops.requests import Event, RequestStore
from slackops.requests.redis_server import connect
from tests.requests.helpers import at, config


@pytest.fixture
def desk(tmp_path, monkeypatch, namespace):
    cfg_file = tmp_path / "slackops.yml"
    cfg_file.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    data = tmp_path / "data"
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SLACKOPS_DATA_DIR", str(data))
    monkeypatch.setenv("SLACKOPS_CONFIG", str(cfg_file))
    with connect(Settings(data_dir=str(data))) as (client, _):
        store = RequestStore(client, config(), prefix=namespace)
        a = store.open("acme", title="Nobody can log in", priority="P1", submitted_by="U0ACME1", now=at(0))
        store.apply(a.id, Event("assigned", "U0AGENT1", at(1)))
        store.apply(a.id, Event("reclassified", "U0AGENT1", at(2), {"to": "P2", "reason": "one site only"}))
        b = store.open("acme", title="Typo on the invoice", priority="P3", submitted_by="U0ACME1", now=at(3))
        store.apply(b.id, Event("resolved", "U0AGENT2", at(4), {"resolution": "fix", "note": "fixed"}))
        store.open("zen", title="Errore di stampa", priority="P3", submitted_by="U0ACME1", now=at(5))
    return namespace


def test_list(desk, capsys):
    assert main(["requests", "list", "--prefix", desk]) == 0
    out, err = capsys.readouterr()
    assert "using embedded Redis" in err
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "PRIORITY", "STATUS", "ASSIGNEE", "SUBMITTED", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == ["ACME-1", "ACME-2", "ZEN-1"]
    assert "2026-11-23T10:00-05:00" in lines[1]  # ISO 8601 to the minute, in the policy's zone (Comensure: New York)
    assert "2026-11-23T16:05+01:00" in lines[3]  # Interzen: Rome


def test_list_open_for_one_account(desk, capsys):
    assert main(["requests", "list", "--account", "acme", "--open", "--prefix", desk]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["ACME-1"]
    assert "in progress" in out and "U0AGENT1" in out


def test_show(desk, capsys):
    assert main(["requests", "show", "acme-1", "--prefix", desk]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ACME-1  Nobody can log in")
    assert "SLA checkpoints" in out and "first_response" in out
    assert "History:" in out
    history = out.split("History:")[1]
    assert "2026-11-23T10:00-05:00" in history and "submitted at P1" in history
    assert "reclassified P1→P2: one site only" in history


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["requests", "show", "ACME-99"], "there is no request ACME-99"),
        (["requests", "show", "nonsense"], "'nonsense' is not a request id (like ACME-3)"),
        (["requests", "list", "--account", "mars"], "'mars' is not an account"),
    ],
)
def test_errors_are_one_line(desk, capsys, argv, message):
    assert main([*argv, "--prefix", desk]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_no_configuration(monkeypatch, capsys):
    monkeypatch.delenv("SLACKOPS_CONFIG", raising=False)
    assert main(["requests", "list"]) == 2
    assert "no configuration file: pass --config FILE or set SLACKOPS_CONFIG" in capsys.readouterr().err


def test_unreachable_redis(monkeypatch, capsys, tmp_path):
    cfg_file = tmp_path / "c.yml"
    cfg_file.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["requests", "list", "--config", str(cfg_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cannot reach Redis at redis://127.0.0.1:1/0") and "Traceback" not in err


def test_list_names_the_people_the_desk_knows(desk, capsys):
    from slackops.requests.people import remember

    with connect(Settings.from_env()) as (client, _):
        remember(client, desk, "U0AGENT1", "Alice Park")  # as the Slack app records users.info's answer
    assert main(["requests", "list", "--prefix", desk]) == 0
    lines = capsys.readouterr().out.splitlines()
    acme1 = next(line for line in lines if line.startswith("ACME-1"))
    assert "Alice Park" in acme1 and "U0AGENT1" not in acme1
