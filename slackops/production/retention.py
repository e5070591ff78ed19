"""Retention: closed requests older than ``retention.closed_days`` leave Redis for the archive.

The archive is JSON Lines, one file per account per month of closing
(``ARCHIVE/acme/2025-10.jsonl``). Each line is one request with its full history::

    {"id": "ACME-3", "w": 7, "archived_at": "...Z", "request": {...as stored...},
     "history": [{"id": "1764...-0", "event": {...as stored...}}, ...]}

Each request moves in two steps, in this order, so that a crash at any line loses nothing
and a second run duplicates nothing:

1. its line is appended to the month's file and the file is fsynced, unless a line with
   the same id and write count ``w`` is there already (a run that crashed after step 1);
2. one Lua script removes it from Redis: the state, its history entries (``XDEL``), its
   card, its alarms and done-alarms, its place in the closed index, and only if its write
   count is still the one archived (a request changed meanwhile waits for the next run).

A half-written last line (a crash in the middle of step 1) is ignored by readers, and the
next append starts on a new line. ``slackops requests show ID`` looks in the archive when
Redis no longer has the request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slackops.requests import codec
from slackops.requests.ids import make_id, parse_id
from slackops.requests.model import Event, Request

__all__ = ["Archive", "Archived", "retire", "backfill_closed_index", "archive_folder"]

_REMOVE = """
-- KEYS: 1 request, 2 closed index, 3 history stream, 4 cards hash, 5 done-alarms set,
-- 6 deadline index; ARGV: 1 id, 2 write count archived, 3 card field or '', then entry ids
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
local w = string.match(cur, '^{"v":%d+,"w":(%d+)')
if tonumber(w) ~= tonumber(ARGV[2]) then return -1 end
local body = cjson.decode(cur)
if body['al'] then
  for _, suffix in ipairs(body['al']) do redis.call('ZREM', KEYS[6], ARGV[1] .. '|' .. suffix) end
end
if #ARGV > 3 then redis.call('XDEL', KEYS[3], unpack(ARGV, 4)) end
if ARGV[3] ~= '' and redis.call('HGET', KEYS[4], ARGV[3]) == ARGV[1] then
  redis.call('HDEL', KEYS[4], ARGV[3])
end
redis.call('DEL', KEYS[1], KEYS[5])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


def archive_folder(settings: Any) -> Path:
    """``DATA_DIR/archive`` (``SLACKOPS_ARCHIVE_DIR`` to put it elsewhere)."""
    env = os.environ.get("SLACKOPS_ARCHIVE_DIR")
    if env:
        return Path(env)
    return Path(getattr(settings, "data_dir", None) or ".slackops") / "archive"


@dataclass(frozen=True)
class Archived:
    """A request found in the archive, with its history."""

    request: Request
    history: list[Event]
    file: Path


class Archive:
    """The JSON Lines files under one folder."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, account: str, month: str) -> Path:
        return self.folder / account / f"{month}.jsonl"

    @staticmethod
    def lines(path: Path) -> Iterator[dict[str, Any]]:
        """The complete lines of one file (a half-written last line is skipped)."""
        try:
            f = path.open("rb")
        except FileNotFoundError:
            return
        with f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    return  # a write cut short by a crash: it is written again on the next run
                try:
                    yield json.loads(raw)
                except ValueError:
                    continue

    def have(self, path: Path) -> set[tuple[str, int]]:
        return {(d["id"], int(d["w"])) for d in self.lines(path) if "id" in d and "w" in d}

    def append(self, path: Path, records: list[dict[str, Any]]) -> None:
        """Append ``records`` as lines and fsync, starting on a new line."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab+") as f:
            if f.tell():
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    f.write(b"\n")
            for r in records:
                f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())

    def find(self, request_id: str) -> Archived | None:
        """The last archived copy of ``request_id`` (files of its account, newest first)."""
        account, number = parse_id(request_id)
        rid = make_id(account, number)
        folder = self.folder / account.lower()
        if not folder.is_dir():
            return None
        needle = f'{{"id":"{rid}",'.encode()
        for path in sorted(folder.glob("*.jsonl"), reverse=True):
            found = None
            with path.open("rb") as f:
                for raw in f:
                    if raw.startswith(needle) and raw.endswith(b"\n"):
                        found = raw
            if found is not None:
                d = json.loads(found)
                req = codec.decode_request(json.dumps(d["request"])).request
                history = [codec.decode_event(json.dumps(h["event"]), h["id"]) for h in d["history"]]
                return Archived(req, history, path)
        return None


def backfill_closed_index(store: Any) -> int:
    """Put the closed requests written before the closed index existed into it; how many."""
    added = 0
    for account in store.config.accounts:
        n = int(store.redis.get(store.keys.counter(account.id)) or 0)
        for start in range(1, n + 1, 500):
            ids = [make_id(account.id, i) for i in range(start, min(start + 500, n + 1))]
            for raw in store.redis.mget([store.keys.request(x) for x in ids]):
                if raw is None:
                    continue
                req = codec.decode_request(raw).request
                if req.status.value == "closed" and req.closed_at is not None:
                    added += store.redis.zadd(store.keys.closed_by_account(account.id),
                                              {req.id: req.closed_at.timestamp()}, nx=True)
    return added


def _record(store: Any, rid: str, raw: bytes, now: datetime) -> tuple[dict[str, Any], str]:
    body = json.loads(raw)
    stream = store.keys.history(body.get("ac") or codec.account_of(rid))
    pipe = store.redis.pipeline(transaction=False)
    for sid in body.get("h", ()):
        pipe.xrange(stream, sid, sid, count=1)
    history = []
    for found in pipe.execute():
        for sid, fields in found:
            event = fields.get(b"e", fields.get("e"))
            sid = sid.decode() if isinstance(sid, bytes) else sid
            history.append({"id": sid, "event": json.loads(event)})
    card = f"{body.get('cc') or body.get('ch')}:{body['ct']}" if body.get("ct") else ""
    return {"id": rid, "w": int(body["w"]), "archived_at": now.isoformat().replace("+00:00", "Z"),
            "request": body, "history": history}, card


def retire(store: Any, archive: Archive, now: datetime, *, older_than_days: int = 400,
           batch: int = 200) -> dict[str, int]:
    """Move closed requests closed before ``now - older_than_days`` to ``archive``.

    Returns ``{"archived": n, "removed": n, "changed": n}`` (changed: kept for the next run).
    """
    remove = store.redis.register_script(_REMOVE)
    cutoff = (now - timedelta(days=older_than_days)).timestamp()
    out = {"archived": 0, "removed": 0, "changed": 0}
    for account in store.config.accounts:
        index = store.keys.closed_by_account(account.id)
        while True:
            ids = [x.decode() if isinstance(x, bytes) else x
                   for x in store.redis.zrangebyscore(index, "-inf", f"({cutoff}", start=0, num=batch)]
            if not ids:
                break
            raws = store.redis.mget([store.keys.request(x) for x in ids])
            by_file: dict[Path, list[tuple[dict[str, Any], str]]] = {}
            for rid, raw in zip(ids, raws, strict=True):
                if raw is None:
                    store.redis.zrem(index, rid)  # removed already (a run that crashed after step 2)
                    continue
                rec, card = _record(store, rid, raw, now)
                closed = datetime.fromtimestamp(int(rec["request"].get("cl") or rec["request"]["sa"]) / 1000, tz=UTC)
                by_file.setdefault(archive.path(account.id, f"{closed:%Y-%m}"), []).append((rec, card))
            progressed = False
            for path, items in by_file.items():
                have = archive.have(path)
                new = [rec for rec, _card in items if (rec["id"], rec["w"]) not in have]
                if new:
                    archive.append(path, new)  # step 1: on disk, fsynced
                    out["archived"] += len(new)
                for rec, card in items:  # step 2: out of Redis, atomically
                    res = remove(
                        keys=[store.keys.request(rec["id"]), index, store.keys.history(account.id),
                              store.keys.cards, store.keys.alarms_done(rec["id"]), store.keys.deadlines],
                        args=[rec["id"], rec["w"], card, *(h["id"] for h in rec["history"])],
                    )
                    if int(res) == 1:
                        out["removed"] += 1
                        progressed = True
                    elif int(res) == -1:
                        out["changed"] += 1
            if not progressed and not any(r is None for r in raws):
                break  # only changed requests left in this batch: the next run takes them
    return out
