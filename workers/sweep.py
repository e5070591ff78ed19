"""The sweep: reads the store's deadline index and hands due alarms to RQ jobs.

The deadline index (a sorted set kept by the store) is the only source of truth for
timers: nothing is scheduled in rq ahead of time, so a reclassified or resolved request
needs no job to be cancelled. Any number of workers run a sweep; a Redis lock lets one
of them work at a time, and each alarm is handed off once (a key with a TTL: if the
worker holding it dies, the alarm is handed again when the key expires).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import redis as redis_py

from slackops.notices.notice import job_safe

from . import keys
from .alarms import AlarmRef
from .crash import nowhere
from .jobs import handoff_key, process_alarms

if TYPE_CHECKING:
    from rq import Queue

    from slackops.requests import Alarm, RequestStore

__all__ = ["Sweep"]

log = logging.getLogger("slackops.workers.sweep")

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class Sweep:
    def __init__(
        self,
        redis: redis_py.Redis,
        store: RequestStore,
        queue: Queue,
        prefix: str = "slackops",
        *,
        batch_size: int = 50,
        handoff_seconds: float = 120.0,
        tick: float = 0.1,
        lock_seconds: float = 5.0,
        limit: int = 1000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        crash: Callable[[str, str], None] = nowhere,
    ) -> None:
        self.redis = redis
        self.store = store
        self.queue = queue
        self.prefix = prefix
        self.batch_size = batch_size
        self.handoff_ms = int(handoff_seconds * 1000)
        self.tick_seconds = tick
        self.lock_key = keys.sweep_lock(prefix)
        self.lock_ms = int(lock_seconds * 1000)
        self.limit = limit
        self.clock = clock
        self.crash = crash
        self.token = uuid.uuid4().hex
        self._renew = redis.register_script(_RENEW)
        self._stop = threading.Event()
        self._handed: dict[str, float] = {}

    def is_leader(self) -> bool:
        """Take or keep the sweep lock (one sweeper at a time across all machines)."""
        if self._renew(keys=[self.lock_key], args=[self.token, self.lock_ms]):
            return True
        return bool(self.redis.set(self.lock_key, self.token, nx=True, px=self.lock_ms))

    def tick(self, now: datetime | None = None) -> int:
        """Hand every due alarm that nobody holds to a job; returns how many were handed."""
        if not self.is_leader():
            return 0
        now = now or self.clock()
        handed = 0
        while True:
            due = self.store.due(now, limit=self.limit)
            if not due:
                return handed
            # skip what this sweeper handed off itself and is still in a job's hands
            mono = time.monotonic()
            candidates = [a for a in due if self._handed.get(a.member, 0.0) <= mono]
            a: Alarm | AlarmRef
            pipe = self.redis.pipeline(transaction=False)
            for a in candidates:
                pipe.set(handoff_key(self.prefix, a.member), "1", nx=True, px=self.handoff_ms)
            fresh = [AlarmRef.of(a) for a, ok in zip(candidates, pipe.execute(), strict=True) if ok]
            until = mono + self.handoff_ms / 1000.0
            for a in fresh:
                self._handed[a.member] = until
            if len(self._handed) > 4 * self.limit:
                self._handed = {m: t for m, t in self._handed.items() if t > mono}
            if fresh:
                self.crash("sweep:handed", fresh[0].kind)
            for i in range(0, len(fresh), self.batch_size):
                chunk = fresh[i:i + self.batch_size]
                members = "\n".join(a.member for a in chunk)
                self.queue.enqueue(
                    process_alarms, [a.to_dict() for a in chunk],
                    job_id=f"{self.prefix}-alarms-{job_safe(members)}",
                    result_ttl=300, failure_ttl=7 * 86400, job_timeout=600,
                )
            handed += len(fresh)
            if len(due) < self.limit or not fresh:
                return handed

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except redis_py.RedisError as e:
                log.warning("sweep: Redis unavailable (%s); retrying", e)
                self._stop.wait(0.5)
            except Exception:
                log.exception("sweep: unexpected error; retrying")
                self._stop.wait(1.0)
            self._stop.wait(self.tick_seconds)
        try:
            self.redis.delete(self.lock_key) if self.redis.get(self.lock_key) == self.token.encode() else None
        except redis_py.RedisError:
            pass

