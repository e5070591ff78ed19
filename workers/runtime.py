"""One worker process: the sweep, the publisher (the Slack app's changes -> notices) and the
outbox dispatcher in background threads, an RQ worker (with the scheduler) in the main thread.

Any number of these may run on any number of machines against one Redis: the sweep
takes a lock, each alarm is handed off once, each destination is posted to by whoever
holds its lease.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import redis as redis_py

from slackops import lifecycle
from slackops.config import Config
from slackops.notices.outbox import Outbox
from slackops.notices.webhooks import Webhooks
from slackops.operations.clock import OpsClock
from slackops.operations.probes import observe_lateness
from slackops.requests import RequestStore

from . import alarms, intents
from .context import WorkerContext, bind, queue_name
from .contracts import replan
from .hooks import HookFeeder
from .publisher import Publisher
from .rqworker import DeskWorker, StopRequested
from .sweep import Sweep

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from slackops.requests import RequestStore

__all__ = ["Runtime", "build_context"]

log = logging.getLogger("slackops.workers")

OPS_DELAY = 2.0
"""Seconds after start before the operations clock (minute-scale notices) begins."""


def build_context(
    redis: redis_py.Redis,
    config: Config,
    client: WebClient,
    *,
    prefix: str = "slackops",
    store: RequestStore | None = None,
    lease_seconds: float = 30.0,
    interval: float = 1.0,
    handoff_seconds: float = 120.0,
    timeout_settle: float | None = None,
    crash: Any = None,
) -> WorkerContext:
    """The collaborators of a worker process under ``prefix``; also binds it for RQ jobs.
    ``crash``: the fault tests' crash hook (slackops.workers.crash), told each crash point."""
    if store is None:
        store = RequestStore(redis, config, prefix=prefix)
    outbox = Outbox(redis, client, prefix, interval=interval, lease_seconds=lease_seconds, timeout_settle=timeout_settle)
    ctx = WorkerContext(redis=redis, config=config, store=store, outbox=outbox, prefix=prefix,
                        handoff_seconds=handoff_seconds)
    if crash is not None:
        ctx.crash = outbox.crash = crash
    outbox.still_holds = lambda n, now: alarms.recheck(ctx, n, now)
    ctx.publisher = Publisher(redis, store, config, client, outbox)
    outbox.after_sent = ctx.publisher.card_posted

    outbox.on_delivered = observe_lateness
    if config.webhooks:
        ctx.webhooks = Webhooks(redis, config.webhooks, prefix, lease_seconds=lease_seconds)
        if crash is not None:
            ctx.webhooks.crash = crash
    return bind(ctx)


class Runtime:
    """Background threads of a worker process around an RQ worker."""

    def __init__(self, ctx: WorkerContext, *, tick: float = 0.1, sweep: bool = True, dispatch: bool = True,
                 publish: bool = True) -> None:
        self.ctx = ctx
        self.sweep = Sweep(ctx.redis, ctx.store, ctx.queue, ctx.prefix, tick=tick, handoff_seconds=ctx.handoff_seconds,
                           crash=ctx.crash)
        self._threads: list[threading.Thread] = []
        self._want_sweep = sweep
        self._want_dispatch = dispatch
        self._want_publish = publish and ctx.publisher is not None
        self._stopping = threading.Event()
        self.ops: Any = None  # the operations clock (maintenance notices, managers' DMs), once started
        self.feeder: Any = None  # the webhooks' feeder (slackops.workers.hooks), when endpoints are configured

    def start(self) -> Runtime:
        try:  # intents an earlier version's workers may have left (slackops.workers.intents)
            intents.redrive(self.ctx)
        except redis_py.RedisError as e:
            log.warning("worker: intents not re-driven now (%s); the next start does it", e)
        try:  # open requests of accounts whose contract changed: re-planned under the new terms
            replan(self.ctx)
        except redis_py.RedisError as e:
            log.warning("worker: contracts not re-planned now (%s); the next start does it", e)
        if self._want_sweep:
            self._threads.append(threading.Thread(target=self.sweep.run, name="sweep", daemon=True))
            self._threads.append(threading.Thread(target=self._operations, name="operations", daemon=True))
        if self._want_dispatch:
            self._threads.append(threading.Thread(target=self.ctx.outbox.run, name="outbox", daemon=True))
        if self._want_publish and self.ctx.publisher is not None:
            self.ctx.publisher.ensure_groups()
            self._threads.append(threading.Thread(target=self.ctx.publisher.run, name="publisher", daemon=True))
        if self.ctx.webhooks is not None:
            self.feeder = HookFeeder(self.ctx.redis, self.ctx.store, self.ctx.config, self.ctx.webhooks)
            if self._want_publish:
                self._threads.append(threading.Thread(target=self.feeder.run, name="webhooks-feeder", daemon=True))
            if self._want_dispatch:
                self._threads.append(threading.Thread(target=self.ctx.webhooks.run, name="webhooks", daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Tell every thread to stop and wait for them, ``timeout`` seconds in all (a
        thread still inside a Slack call is left to the process's exit: what it was posting
        is recorded as an intent, which the next worker reads back before posting)."""
        import time

        self._stopping.set()
        self.sweep.stop()
        self.ctx.outbox.stop()
        if self.ctx.publisher is not None:
            self.ctx.publisher.stop()
        if self.feeder is not None:
            self.feeder.stop()
        if self.ctx.webhooks is not None:
            self.ctx.webhooks.stop()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def _operations(self) -> None:
        """The operations clock, a moment after the sweep: a worker's first alarms come first."""
        if self._stopping.wait(OPS_DELAY):
            return

        self.ops = OpsClock(self.ctx.redis, self.ctx.config, self.ctx.store, self.ctx.outbox, self.ctx.prefix,
                            stop=self._stopping, webhooks=self.ctx.webhooks)
        self.ops.run()

    def work(self, *, with_scheduler: bool = True, burst: bool = False) -> None:
        """Run the RQ worker in this (main) thread until asked to stop; a Redis restart
        ends rq's loop, so start it again."""
        stopping = self._stopping
        _scheduler_dies_with_worker()

        class _Worker(DeskWorker):
            def request_stop(self, signum: Any, frame: Any) -> None:
                stopping.set()  # SIGTERM / SIGINT: do not start rq again
                if not lifecycle.begin_stop():
                    lifecycle.exit_now(128 + signum)  # a second signal: at once
                super().request_stop(signum, frame)

            def request_force_stop(self, signum: Any, frame: Any) -> None:
                lifecycle.exit_now(128 + signum)

        # rq sets its own socket timeout on its connection: give it a pool of its own
        kwargs = dict(self.ctx.redis.connection_pool.connection_kwargs)
        conn_class = self.ctx.redis.connection_pool.connection_class
        rq_redis = redis_py.Redis(connection_pool=redis_py.ConnectionPool(connection_class=conn_class, **kwargs))
        while not stopping.is_set():
            try:  # rq's worker talks to Redis from its constructor on: a restart may be under way
                worker = _Worker([queue_name(self.ctx.prefix)], connection=rq_redis)
                worker.work(with_scheduler=with_scheduler, burst=burst, logging_level="WARNING")
            except StopRequested:
                return
            except redis_py.RedisError as e:
                if stopping.is_set():
                    return
                log.warning("worker: Redis unavailable (%s); starting again", e)
            if burst:
                return
            try:
                stopping.wait(0.5)
            except StopRequested:  # rq's signal handler, between two of its loops
                return


_FORK_HOOK = False


def _scheduler_dies_with_worker() -> None:
    """rq runs its scheduler in a forked child: make every child forked from here on get
    SIGTERM when this process dies, however it dies (SIGKILL included), so that no
    scheduler outlives its worker holding the scheduler's lock."""
    global _FORK_HOOK
    if _FORK_HOOK:
        return
    import os

    parent: list[int] = []
    os.register_at_fork(before=lambda: parent.__setitem__(slice(None), [os.getpid()]),
                        after_in_child=lambda: _watch_parent(lifecycle, parent))
    _FORK_HOOK = True


def _watch_parent(lifecycle: Any, parent: list[int]) -> None:
    import os
    import signal

    # SIGKILL, not SIGTERM: a child forked while another thread held a lock (an import, a
    # log handler) may never run a Python signal handler. rq's scheduler keeps nothing that
    # a kill loses: its lock expires and the next worker's scheduler takes it.
    lifecycle.die_with_parent(signal.SIGKILL)
    if parent and os.getppid() != parent[0]:  # the parent died before the line above
        os._exit(0)
