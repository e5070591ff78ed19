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

from slackops.config import Config
from slackops.notices.outbox import Outbox

from . import alarms
from .context import WorkerContext, bind, queue_name
from .publisher import Publisher
from .sweep import Sweep

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from slackops.requests import RequestStore

__all__ = ["Runtime", "build_context"]

log = logging.getLogger("slackops.workers")


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
) -> WorkerContext:
    """The collaborators of a worker process under ``prefix``; also binds it for RQ jobs."""
    if store is None:
        from slackops.requests import RequestStore

        store = RequestStore(redis, config, prefix=prefix)
    outbox = Outbox(redis, client, prefix, interval=interval, lease_seconds=lease_seconds, timeout_settle=timeout_settle)
    ctx = WorkerContext(redis=redis, config=config, store=store, outbox=outbox, prefix=prefix,
                        handoff_seconds=handoff_seconds)
    outbox.still_holds = lambda n, now: alarms.recheck(ctx, n, now)
    ctx.publisher = Publisher(redis, store, config, client, outbox)
    outbox.after_sent = ctx.publisher.card_posted
    return bind(ctx)


class Runtime:
    """Background threads of a worker process around an RQ worker."""

    def __init__(self, ctx: WorkerContext, *, tick: float = 0.1, sweep: bool = True, dispatch: bool = True,
                 publish: bool = True) -> None:
        self.ctx = ctx
        self.sweep = Sweep(ctx.redis, ctx.store, ctx.queue, ctx.prefix, tick=tick, handoff_seconds=ctx.handoff_seconds)
        self._threads: list[threading.Thread] = []
        self._want_sweep = sweep
        self._want_dispatch = dispatch
        self._want_publish = publish and ctx.publisher is not None
        self._stopping = threading.Event()

    def start(self) -> Runtime:
        if self._want_sweep:
            self._threads.append(threading.Thread(target=self.sweep.run, name="sweep", daemon=True))
        if self._want_dispatch:
            self._threads.append(threading.Thread(target=self.ctx.outbox.run, name="outbox", daemon=True))
        if self._want_publish and self.ctx.publisher is not None:
            self.ctx.publisher.ensure_groups()
            self._threads.append(threading.Thread(target=self.ctx.publisher.run, name="publisher", daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.sweep.stop()
        self.ctx.outbox.stop()
        if self.ctx.publisher is not None:
            self.ctx.publisher.stop()
        for t in self._threads:
            t.join(timeout)

    def work(self, *, with_scheduler: bool = True, burst: bool = False) -> None:
        """Run the RQ worker in this (main) thread until asked to stop; a Redis restart
        ends rq's loop, so start it again."""
        from rq import SimpleWorker

        stopping = self._stopping

        class _Worker(SimpleWorker):
            def request_stop(self, signum: Any, frame: Any) -> None:
                stopping.set()  # SIGTERM / SIGINT: do not start rq again
                super().request_stop(signum, frame)

        # rq sets its own socket timeout on its connection: give it a pool of its own
        kwargs = dict(self.ctx.redis.connection_pool.connection_kwargs)
        conn_class = self.ctx.redis.connection_pool.connection_class
        rq_redis = redis_py.Redis(connection_pool=redis_py.ConnectionPool(connection_class=conn_class, **kwargs))
        while not stopping.is_set():
            worker = _Worker([queue_name(self.ctx.prefix)], connection=rq_redis)
            try:
                worker.work(with_scheduler=with_scheduler, burst=burst, logging_level="WARNING")
            except redis_py.RedisError as e:
                log.warning("worker: Redis unavailable (%s); starting again", e)
            if burst:
                return
            stopping.wait(0.5)
