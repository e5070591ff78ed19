"""Starting, watching and stopping the real slackops processes the stopping tests run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Proc:
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, timeout: float = 40.0) -> None:
        end = time.monotonic() + timeout
        while needle not in self.text():
            assert self.popen.poll() is None, f"exited {self.popen.returncode}:\n{self.text()[-3000:]}"
            assert time.monotonic() < end, f"no {needle!r} in:\n{self.text()[-3000:]}"
            time.sleep(0.1)

    def tree(self) -> list[psutil.Process]:
        try:
            return [psutil.Process(self.pid), *psutil.Process(self.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> float:
        """Send ``sig``; the seconds until the process exited (killed after ``timeout``)."""
        started = time.monotonic()
        self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        return time.monotonic() - started


def spawn(args: list[str], env: dict[str, str], tmp_path: Path, name: str) -> Proc:
    log = tmp_path / f"{name}.log"
    full = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")}
    full.update(env)
    with open(log, "w") as out:
        popen = subprocess.Popen([sys.executable, "-m", "slackops.cli", *args], env=full, stdout=out,
                                 stderr=subprocess.STDOUT, cwd=str(ROOT))
    return Proc(popen, log)


def still_running(procs: list[psutil.Process], timeout: float = 5.0) -> list[psutil.Process]:
    """Those of ``procs`` still running after ``timeout`` seconds (zombies count as gone)."""
    end = time.monotonic() + timeout
    while True:
        alive = []
        for p in procs:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.1)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
