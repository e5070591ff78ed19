"""Backups: a snapshot of one embedded server restored into a fresh one holds the same desk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from slackops.config import Settings
from slackops.errors import SlackopsError
from slackops.production.backup import DailyBackups, backups_in, read_manifest, restore, take
from slackops.requests import Event, RequestStore
from slackops.requests.redis_server import connect
from tests.requests.helpers import T0, at, config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _fill(store: RequestStore) -> list[str]:
    """Open, take, update, resolve and close a few requests on several policies."""
    ids = []
    for i, (account, prio) in enumerate([("acme", "P1"), ("acme", "P3"), ("ixc", "S2"), ("zen", "P2"), ("opi", "P1")] * 4):
        req = store.open(account, title=f"Outage {i} <b>", priority=prio, submitted_by="U0ACME1", now=at(i),
                         description="checkout fails", fields={"impact": "20%"})
        ids.append(req.id)
        if i % 2:
            store.apply(req.id, Event("assigned", "U0AGENT1", at(i + 1)))
            store.apply(req.id, Event("update_posted", "U0AGENT1", at(i + 2)))
        if i % 5 == 0:
            store.apply(req.id, Event("resolved", "U0AGENT2", at(i + 3), {"resolution": "fix", "note": "done"}))
            store.apply(req.id, Event("closed", "U0AGENT2", at(i + 4)))
        store.set_card(req.id, "C0ACME", f"1795000000.{i:06d}")
    return ids


def _snapshot(store: RequestStore, ids: list[str]) -> dict:
    return {
        "requests": [store.get(x) for x in ids],
        "history": [store.history(x) for x in ids],
        "alarms": store.due(T0 + timedelta(days=400)),
        "open": [r.id for r in store.list(open_only=True)],
    }


def test_a_backup_restored_into_a_fresh_server_has_every_request_history_entry_and_alarm(tmp_path, namespace):
    with connect(Settings(data_dir=str(tmp_path / "a"))) as (client, _d):
        store = RequestStore(client, config(), prefix=namespace)
        ids = _fill(store)
        store.ensure_groups("publish")
        before = _snapshot(store, ids)
        assert before["alarms"], "the fixture must leave pending alarms"
        path = take(client, tmp_path / "backups", prefix=namespace, now=T0)
        # writes after the snapshot are not in it
        store.open("acme", title="after the backup", priority="P3", submitted_by="U0ACME1", now=at(99))
    assert path.name == "slackops-20261123T150000Z" and backups_in(tmp_path / "backups") == [path]
    _folder, manifest = read_manifest(path)
    assert manifest["counts"]["requests"] == len(ids)
    assert manifest["counts"]["history"] == sum(len(h) for h in before["history"])
    assert manifest["counts"]["alarms"] == len(before["alarms"])
    assert manifest["redis_version"].startswith("6.") and manifest["taken_at"] == "2026-11-23T15:00:00Z"

    with connect(Settings(data_dir=str(tmp_path / "b"))) as (client, _d):
        assert client.dbsize() == 0
        done = restore(path, client)
        assert done["restored"]["requests"] == len(ids)
        store = RequestStore(client, config(), prefix=namespace)
        assert _snapshot(store, ids) == before
        # the consumer group of the publisher came along (nothing is published twice)
        groups = client.xinfo_groups(store.keys.history("acme"))
        assert [g["name"] for g in groups] == [b"publish"]
        # the restored desk goes on where it stopped: the next id follows the last one
        assert store.open("acme", title="next", priority="P3", submitted_by="U0ACME1", now=at(100)).id == "ACME-9"
        # a second restore into the now non-empty server is refused, and changes nothing
        keys = client.dbsize()
        with pytest.raises(SlackopsError, match=r"holds \d+ keys.*--force"):
            restore(path, client)
        assert client.dbsize() == keys
        restore(path, client, force=True)
        assert store.get("ACME-1") == before["requests"][0]


def test_a_damaged_backup_is_refused(tmp_path):
    with connect(Settings(data_dir=str(tmp_path / "a"))) as (client, _d):
        client.set("k", "v")
        path = take(client, tmp_path / "b")
        rdb = path / "dump.rdb"
        rdb.write_bytes(rdb.read_bytes()[:-3] + b"xyz")
        with pytest.raises(SlackopsError, match="damaged"):
            restore(path, client, force=True)
        with pytest.raises(SlackopsError, match="not a slackops backup"):
            restore(tmp_path, client, force=True)


def test_daily_backups_keep_the_last_n(tmp_path):
    with connect(Settings(data_dir=str(tmp_path / "a"))) as (client, _d):
        client.set("k", "v")
        daily = DailyBackups(client, tmp_path / "backups", keep=2, every_hours=24)
        made = [daily.tick(T0 + timedelta(hours=h)) for h in (0, 1, 24, 30, 48, 72)]
    assert [m is not None for m in made] == [True, False, True, False, True, True]
    assert [p.name for p in backups_in(tmp_path / "backups")] == ["slackops-20261125T150000Z", "slackops-20261126T150000Z"]


def test_the_commands_back_up_and_restore(tmp_path, namespace):
    env = dict(os.environ, SLACKOPS_DATA_DIR=str(tmp_path / "a"), PYTHONPATH=ROOT)
    env.pop("REDIS_URL", None)
    with connect(Settings(data_dir=str(tmp_path / "a"))) as (client, _d):
        store = RequestStore(client, config(), prefix=namespace)
        ids = _fill(store)[:3]
        before = _snapshot(store, ids)
        run = subprocess.run([sys.executable, "-m", "slackops.cli", "backup", "--prefix", namespace],
                             env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "20 requests" in run.stdout and "pending alarms" in run.stdout
    (path,) = backups_in(tmp_path / "a" / "backups")  # the default folder: DATA_DIR/backups
    assert json.loads((path / "manifest.json").read_text())["prefix"] == namespace
    env["SLACKOPS_DATA_DIR"] = str(tmp_path / "b")
    run = subprocess.run([sys.executable, "-m", "slackops.cli", "restore", str(path)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "20 requests" in run.stdout
    again = subprocess.run([sys.executable, "-m", "slackops.cli", "restore", str(path)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "--force" in again.stderr and "Traceback" not in again.stderr
    with connect(Settings(data_dir=str(tmp_path / "b"))) as (client, _d):
        store = RequestStore(client, config(), prefix=namespace)
        assert _snapshot(store, ids)["history"] == before["history"]
