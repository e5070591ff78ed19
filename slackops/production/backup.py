"""Backups of the desk's Redis and their restore.

A backup is a folder ``slackops-YYYYmmddTHHMMSSZ/`` holding ``dump.rdb`` and
``manifest.json``. The RDB is the server's own consistent snapshot: ``redis-cli --rdb``
asks the server for the file it makes for a new replica (a ``BGSAVE`` in a forked child,
so the desk keeps working meanwhile), which works the same for the embedded server, a
remote one and the primary that Sentinel names, and needs no access to the server's disk.
Before the folder gets its final name the snapshot is loaded into a private redis-server
(:mod:`slackops.production.tempserver`) and counted: a backup that is listed is one that
loads. The manifest says when, of which Redis version, its SHA-256 and how many requests,
history entries and pending alarms the desk's prefix had.

Restoring loads the RDB into a private redis-server and copies every key into the
target with ``DUMP``/``RESTORE`` (TTLs kept). That way the target keeps running and may be
any Redis, local, remote or behind Sentinel (its replicas receive the keys by replication),
and the restore never needs the server's data folder or a restart. A target that holds
keys is refused unless ``force`` (then the backup's keys replace the target's).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis as redis_py

from slackops.errors import SlackopsError
from slackops.production.tempserver import redis_binary, temp_server
from slackops.requests.keys import Keys

__all__ = ["take", "restore", "counts", "backups_in", "prune", "DailyBackups", "MANIFEST", "RDB"]

log = logging.getLogger("slackops.backup")

MANIFEST = "manifest.json"
RDB = "dump.rdb"
_PREFIX = "slackops-"


def _kwargs(client: redis_py.Redis) -> tuple[dict[str, Any], bool]:
    pool = client.connection_pool
    kw = dict(pool.connection_kwargs)
    get_master = getattr(pool, "get_master_address", None)
    if get_master is not None:  # Sentinel: the primary it names now
        kw["host"], kw["port"] = get_master()
    tls = "SSL" in pool.connection_class.__name__
    return kw, tls


def _cli_source(client: redis_py.Redis) -> tuple[list[str], dict[str, str]]:
    kw, tls = _kwargs(client)
    env = dict(os.environ)
    if kw.get("path"):
        args = ["-s", str(kw["path"])]
    else:
        args = ["-h", str(kw.get("host", "localhost")), "-p", str(kw.get("port", 6379))]
    if tls:
        args.append("--tls")
    if kw.get("password"):
        env["REDISCLI_AUTH"] = str(kw["password"])  # not on the command line, where ps shows it
        if kw.get("username"):
            args += ["--user", str(kw["username"])]
    return args, env


def counts(client: redis_py.Redis, prefix: str = "slackops") -> dict[str, int]:
    """Requests, history entries and pending alarms under the desk's prefix."""
    keys = Keys(prefix)
    requests = sum(1 for _ in client.scan_iter(match=keys.request("*"), count=1000))
    history = sum(int(client.xlen(k)) for k in client.scan_iter(match=keys.history("*"), count=1000, _type="stream"))
    return {"requests": requests, "history": history, "alarms": int(client.zcard(keys.deadlines)),
            "keys": int(client.dbsize())}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def take(client: redis_py.Redis, to: str | os.PathLike[str], *, prefix: str = "slackops",
         now: datetime | None = None, timeout: float = 3600.0) -> Path:
    """Write a backup folder under ``to`` and return its path."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    base = Path(to).expanduser()
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SlackopsError(f"cannot create the backup folder {base}: {e.strerror}") from None
    final = base / f"{_PREFIX}{now:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise SlackopsError(f"{final} exists already")
    work = base / f".{final.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        info = client.info("server")
        args, env = _cli_source(client)
        try:
            done = subprocess.run([redis_binary("redis-cli"), *args, "--rdb", str(work / RDB)], env=env,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SlackopsError(f"the snapshot took longer than {timeout:.0f} s") from None
        if done.returncode != 0 or not (work / RDB).exists():
            why = (done.stderr or done.stdout).strip().splitlines()
            raise SlackopsError(f"Redis did not give a snapshot: {why[-1] if why else done.returncode}")
        db = int(_kwargs(client)[0].get("db") or 0)
        with temp_server(work / RDB) as loaded:
            found = _counts_in(loaded, db, prefix)
        manifest = {
            "taken_at": now.isoformat().replace("+00:00", "Z"), "redis_version": str(info.get("redis_version")),
            "db": db, "prefix": prefix, "counts": found, "rdb": RDB, "bytes": (work / RDB).stat().st_size,
            "sha256": _sha256(work / RDB),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        with open(work / MANIFEST, "rb") as f:
            os.fsync(f.fileno())
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _on_db(server: redis_py.Redis, db: int) -> redis_py.Redis:
    """A client of the same private server, on database ``db``."""
    return redis_py.Redis(unix_socket_path=server.connection_pool.connection_kwargs["path"], db=db,
                          socket_timeout=60)


def _counts_in(server: redis_py.Redis, db: int, prefix: str) -> dict[str, int]:
    other = _on_db(server, db)
    try:
        return counts(other, prefix)
    finally:
        other.close()


def read_manifest(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """The backup folder (``path`` or the folder of ``path``) and its manifest."""
    folder = Path(path).expanduser()
    if folder.is_file():
        folder = folder.parent
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise SlackopsError(f"{folder} is not a slackops backup (no {MANIFEST})") from None
    except (OSError, ValueError) as e:
        raise SlackopsError(f"{folder / MANIFEST}: cannot be read: {e}") from None
    rdb = folder / str(manifest.get("rdb", RDB))
    if not rdb.exists():
        raise SlackopsError(f"{folder}: the snapshot {rdb.name} is missing")
    if manifest.get("sha256") and _sha256(rdb) != manifest["sha256"]:
        raise SlackopsError(f"{rdb}: damaged (its SHA-256 is not the one in {MANIFEST})")
    return folder, manifest


def restore(path: str | os.PathLike[str], target: redis_py.Redis, *, force: bool = False,
            batch: int = 500) -> dict[str, Any]:
    """Copy a backup's keys into ``target``; the manifest, with ``restored`` counts."""
    folder, manifest = read_manifest(path)
    present = int(target.dbsize())
    if present and not force:
        raise SlackopsError(
            f"the target Redis holds {present} keys: restore into an empty one, "
            "or pass --force to replace the keys the backup has (other keys stay)"
        )
    db = int(manifest.get("db") or 0)
    copied = 0
    with temp_server(folder / str(manifest.get("rdb", RDB))) as loaded:
        source = _on_db(loaded, db)
        try:
            cursor = 0
            while True:
                cursor, keys = source.scan(cursor, count=batch)
                if keys:
                    pipe = source.pipeline(transaction=False)
                    for k in keys:
                        pipe.pttl(k)
                        pipe.dump(k)
                    got = pipe.execute()
                    out = target.pipeline(transaction=False)
                    for k, ttl, payload in zip(keys, got[0::2], got[1::2], strict=True):
                        if payload is None or ttl == -2:
                            continue  # expired meanwhile
                        out.restore(k, max(int(ttl), 0), payload, replace=force)
                        copied += 1
                    out.execute()
                if cursor == 0:
                    break
        finally:
            source.close()
    manifest["restored"] = {**counts(target, str(manifest.get("prefix", "slackops"))), "copied": copied}
    return manifest


def backups_in(folder: str | os.PathLike[str]) -> list[Path]:
    """Complete backups in ``folder``, oldest first."""
    base = Path(folder)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.name.startswith(_PREFIX) and (p / MANIFEST).exists())


def prune(folder: str | os.PathLike[str], keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; the ones deleted."""
    old = backups_in(folder)[:-keep] if keep > 0 else []
    for p in old:
        shutil.rmtree(p, ignore_errors=True)
    return old


class DailyBackups:
    """A thread that takes a backup when the newest is ``every_hours`` old, keeping ``keep``,
    then calls ``then(now)`` (``slackops run`` archives old closed requests there)."""

    def __init__(self, client: redis_py.Redis, folder: str | os.PathLike[str], *, keep: int = 7,
                 every_hours: float = 24.0, prefix: str = "slackops", check_seconds: float = 60.0,
                 then: Any = None) -> None:
        self.client = client
        self.then = then  # run after each backup (the embedded desk's retention)
        self.first_delay = min(5.0, check_seconds)
        self.folder = Path(folder)
        self.keep = keep
        self.every = every_hours * 3600
        self.prefix = prefix
        self.check_seconds = check_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self, now: datetime) -> bool:
        have = backups_in(self.folder)
        if not have:
            return True
        with contextlib.suppress(OSError, ValueError, KeyError):
            last = json.loads((have[-1] / MANIFEST).read_text())["taken_at"]
            return (now - datetime.fromisoformat(last.replace("Z", "+00:00"))).total_seconds() >= self.every
        return True

    def tick(self, now: datetime | None = None) -> Path | None:
        """Take a backup if one is due; the new backup or None."""
        now = now or datetime.now(UTC)
        if not self.due(now):
            return None
        path = take(self.client, self.folder, prefix=self.prefix, now=now)
        prune(self.folder, self.keep)
        if self.then is not None:
            self.then(now)
        return path

    def run(self) -> None:
        self._stop.wait(self.first_delay)  # the desk starts first
        while not self._stop.is_set():
            try:
                made = self.tick()
                if made:
                    log.info("backup written to %s", made)
            except (SlackopsError, redis_py.RedisError, OSError) as e:
                log.warning("daily backup failed (trying again in %.0f s): %s", self.check_seconds, e)
            self._stop.wait(self.check_seconds)

    def start(self) -> DailyBackups:
        self._thread = threading.Thread(target=self.run, name="backups", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

