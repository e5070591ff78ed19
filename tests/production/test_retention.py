"""Retention: closed requests past the age move to the archive, once, whatever crashes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import yaml

from slackops.cli import main
from slackops.config import Settings
from slackops.production.retention import Archive, _record, backfill_closed_index, retire
from slackops.requests import Event, NotFound, RequestStore
from slackops.requests.redis_server import connect
from tests.requests.helpers import T0, at, config


def _close(store: RequestStore, rid: str, when) -> None:
    store.apply(rid, Event("resolved", "U0AGENT1", when, {"resolution": "fix", "note": "fixed"}))
    store.apply(rid, Event("closed", "U0AGENT1", when + timedelta(minutes=1)))


@pytest.fixture
def store(redis, namespace):
    return RequestStore(redis, config(), prefix=namespace)


def _desk(store: RequestStore) -> dict[str, list[str]]:
    """Old closed requests on two accounts, a recently closed one, and open ones."""
    old, recent, open_ = [], [], []
    for i in range(6):
        account, prio = ("acme", "P2") if i % 2 else ("zen", "P3")
        req = store.open(account, title=f"old {i}", priority=prio, submitted_by="U0ACME1", now=at(i))
        store.apply(req.id, Event("assigned", "U0AGENT1", at(i + 1)))
        store.set_card(req.id, "C0ACME" if account == "acme" else "C0ZEN", f"1795000000.{i:06d}")
        _close(store, req.id, at(i + 10))
        old.append(req.id)
    req = store.open("acme", title="recent", priority="P3", submitted_by="U0ACME1", now=at(0))
    _close(store, req.id, T0 + timedelta(days=300))
    recent.append(req.id)
    for i in range(2):
        open_.append(store.open("acme", title=f"open {i}", priority="P1", submitted_by="U0ACME1", now=at(i)).id)
    return {"old": old, "recent": recent, "open": open_}


def test_old_closed_requests_move_to_the_archive_with_their_history(store, tmp_path):
    desk = _desk(store)
    kept = {x: (store.get(x), store.history(x)) for ids in desk.values() for x in ids}
    alarms = store.due(T0 + timedelta(days=900))
    archive = Archive(tmp_path / "archive")
    xlen = store.redis.xlen(store.keys.history("acme"))

    done = retire(store, archive, T0 + timedelta(days=401), older_than_days=400)

    assert done == {"archived": 6, "removed": 6, "changed": 0}
    r = store.redis
    for rid in desk["old"]:
        with pytest.raises(NotFound):
            store.get(rid)
        assert not r.exists(store.keys.alarms_done(rid))
        found = archive.find(rid)
        assert (found.request, found.history) == kept[rid]  # the full history, as it was
    assert archive.find("ZEN-1").file == tmp_path / "archive" / "zen" / "2026-11.jsonl"
    lines = (tmp_path / "archive" / "acme" / "2026-11.jsonl").read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["ACME-1", "ACME-2", "ACME-3"]
    for rid in desk["recent"] + desk["open"]:
        assert (store.get(rid), store.history(rid)) == kept[rid]
    # the history entries went with their request; the cards of the archived ones too
    assert r.xlen(store.keys.history("acme")) == xlen - 3 * 4
    assert {v.decode() for v in r.hvals(store.keys.cards)} == set()
    assert r.zrange(store.keys.closed_by_account("acme"), 0, -1) == [desk["recent"][0].encode()]
    assert store.due(T0 + timedelta(days=900)) == alarms  # the open requests' alarms stand
    # a second run finds nothing to do
    assert retire(store, archive, T0 + timedelta(days=401)) == {"archived": 0, "removed": 0, "changed": 0}
    assert archive.find("ACME-9") is None and archive.find("OPI-1") is None


def test_a_run_that_crashed_after_writing_neither_loses_nor_duplicates(store, tmp_path):
    desk = _desk(store)
    archive = Archive(tmp_path / "archive")
    path = archive.path("acme", "2026-11")
    # the crash: ACME-1 written and fsynced, not removed; ACME-2 cut in the middle of its line
    rec, _card = _record(store, "ACME-1", store.redis.get(store.keys.request("ACME-1")), T0)
    archive.append(path, [rec])
    half, _card = _record(store, "ACME-2", store.redis.get(store.keys.request("ACME-2")), T0)
    with path.open("ab") as f:
        f.write(json.dumps(half).encode()[:200])

    done = retire(store, archive, T0 + timedelta(days=401), older_than_days=400)

    assert done["removed"] == 6 and done["archived"] == 5  # ACME-1 was there already
    ids = [d["id"] for d in Archive.lines(path)]
    assert ids == ["ACME-1", "ACME-2", "ACME-3"]  # once each; the cut line is ignored
    assert archive.find("ACME-2").request.title == "old 3"
    assert len(desk["old"]) == 6


def test_a_request_that_changed_since_it_was_read_stays(store, tmp_path):
    (rid,) = _desk(store)["old"][:1]
    raw = store.redis.get(store.keys.request(rid))
    store.set_card(rid, "C0ZEN", "1795000999.000001")  # a write between the read and the removal
    archive = Archive(tmp_path / "archive")
    rec, card = _record(store, rid, raw, T0)
    from slackops.production.retention import _REMOVE

    res = store.redis.register_script(_REMOVE)(
        keys=[store.keys.request(rid), store.keys.closed_by_account("zen"), store.keys.history("zen"),
              store.keys.cards, store.keys.alarms_done(rid), store.keys.deadlines],
        args=[rid, rec["w"], card, *(h["id"] for h in rec["history"])],
    )
    assert res == -1 and store.get(rid).card_ts == "1795000999.000001"
    assert retire(store, archive, T0 + timedelta(days=401))["removed"] == 6  # the next run takes it


def test_redis_stays_bounded_as_closed_requests_accumulate(store, tmp_path):
    archive = Archive(tmp_path / "archive")
    r = store.redis
    sizes, stream_bytes = [], []
    for month in range(8):
        start = T0 + timedelta(days=30 * month)
        for i in range(40):
            req = store.open("acme", title=f"m{month} {i}", priority="P3", submitted_by="U0ACME1", now=start)
            _close(store, req.id, start + timedelta(hours=1))
        retire(store, archive, start + timedelta(hours=2), older_than_days=60)
        keys = sum(1 for _ in r.scan_iter(match=f"{store.keys.prefix}:*", count=1000))
        sizes.append((keys, r.xlen(store.keys.history("acme")), r.zcard(store.keys.closed_by_account("acme"))))
        stream_bytes.append(r.memory_usage(store.keys.history("acme"), samples=0))
    # 60 days kept, a month (30 days) apart: the month closed now and the one before, 80 requests
    assert all(k <= 85 and xl <= 80 * 3 and c <= 80 for k, xl, c in sizes), sizes
    assert sizes[-1] == sizes[-2] == sizes[-3]  # flat, not growing
    # the stream gives its memory back as whole nodes of deleted entries go
    assert stream_bytes[-1] <= 1.5 * stream_bytes[2], stream_bytes
    assert sum(1 for _ in Archive.lines(archive.path("acme", "2026-11"))) == 40
    archived = sum(1 for p in (tmp_path / "archive" / "acme").glob("*.jsonl") for _ in Archive.lines(p))
    assert archived == 8 * 40 - 80


def test_the_closed_index_can_be_rebuilt_for_an_older_desk(store):
    old = _desk(store)["old"]
    for a in ("acme", "zen"):
        store.redis.delete(store.keys.closed_by_account(a))
    assert backfill_closed_index(store) == 7
    assert backfill_closed_index(store) == 0
    assert store.redis.zscore(store.keys.closed_by_account("acme"), old[1]) is not None


def test_show_finds_an_archived_request_and_archive_is_a_command(tmp_path, monkeypatch, namespace, capsys):
    cfg_file = tmp_path / "slackops.yml"
    cfg_file.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    data = tmp_path / "data"
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SLACKOPS_ARCHIVE_DIR", raising=False)
    monkeypatch.setenv("SLACKOPS_DATA_DIR", str(data))
    monkeypatch.setenv("SLACKOPS_CONFIG", str(cfg_file))
    with connect(Settings(data_dir=str(data))) as (client, _):
        store = RequestStore(client, config(), prefix=namespace)
        req = store.open("acme", title="Invoice <typo>", priority="P3", submitted_by="U0ACME1", now=at(0))
        _close(store, req.id, at(5))
    assert main(["requests", "archive", "--older-than", "1", "--prefix", namespace]) == 0
    assert "1 requests closed more than 1 days ago moved to" in capsys.readouterr().out
    assert (data / "archive" / "acme" / "2026-11.jsonl").exists()
    assert main(["requests", "show", "ACME-1", "--prefix", namespace]) == 0
    out, err = capsys.readouterr()
    assert "from the archive" in err
    assert "ACME-1  Invoice <typo>" in out and "closed" in out and "resolved (fix): fixed" in out
    assert main(["requests", "show", "ACME-2", "--prefix", namespace]) == 2
    assert "there is no request ACME-2" in capsys.readouterr().err
