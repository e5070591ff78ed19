"""What feeds the outgoing events (webhooks): the store's history, the alarms, maintenance.

Every change to a request is an entry in its account's history stream. A consumer group of
its own (``webhooks``) hands each entry to one worker, which queues its outgoing events
(:func:`slackops.notices.hook_events.request_events`: the event itself and an ``sla.met`` for
each checkpoint it met) and only then acknowledges the entry. A worker that dies before
that leaves the entry pending; another claims it once it has been idle for ``claim_idle``
seconds and queues the same events again, under the same ids: nothing is queued twice.

Warnings and breaches are not history entries: the alarm jobs queue them
(:func:`alarm_hooks`) before they clear their alarms, under ids made from the alarm.
Maintenance stages are queued by the operations clock the same way.

An endpoint added to a desk that already has a history gets the events of the last
``DELIVERY_WINDOW`` (24 hours) and none older: the group starts at that instant.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis as redis_py

from slackops.notices.hook_events import (
    ACCEPTING,
    HISTORY_TYPES,
    MET_BY,
    alarm_event,
    request_events,
)
from slackops.notices.hook_keys import GROUP
from slackops.notices.webhooks import DELIVERY_WINDOW, HookEvent
from slackops.requests import NotFound, codec

from .publisher import stream_replies

if TYPE_CHECKING:
    from slackops.config import Config
    from slackops.notices.notice import Notice
    from slackops.notices.webhooks import Webhooks
    from slackops.requests import RequestStore

    from .alarms import AlarmRef
    from .context import WorkerContext

__all__ = ["GROUP", "HookFeeder", "alarm_hooks"]

log = logging.getLogger("slackops.workers.hooks")

NOT_SLA = frozenset({"escalation", "auto_upgrade", "critical_notice", "unconfirmed"})
"""Alarm kinds that are not a target of the policy (their own events say what they did)."""


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class HookFeeder:
    """Reads every account's history stream through the ``webhooks`` group (module docstring)."""

    def __init__(self, redis: redis_py.Redis, store: RequestStore, config: Config, webhooks: Webhooks, *,
                 claim_idle: float = 30.0, block: float = 1.0, batch: int = 100) -> None:
        self.redis = redis
        self.store = store
        self.config = config
        self.webhooks = webhooks
        self.claim_idle = claim_idle
        self.block = block
        self.batch = batch
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._next_claim = 0.0
        self._stop = threading.Event()
        self._ready = False

    def streams(self) -> list[str]:
        return [self.store.keys.history(a.id) for a in self.config.accounts]

    def ensure_groups(self) -> None:
        start = f"{int((time.time() - DELIVERY_WINDOW) * 1000)}-0"
        for key in self.streams():
            try:
                self.redis.xgroup_create(key, GROUP, id=start, mkstream=True)
            except redis_py.ResponseError as e:
                if "BUSYGROUP" not in str(e):
                    raise
        self._ready = True

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self._ready:
                    self.ensure_groups()
                self.step()
            except redis_py.ResponseError as e:
                if "NOGROUP" in str(e):
                    self._ready = False
                    continue
                log.exception("webhooks feeder: Redis refused a command; will retry")
                self._stop.wait(0.5)
            except redis_py.RedisError as e:
                log.warning("webhooks feeder: Redis unavailable (%s); retrying", e)
                self._ready = False
                self._stop.wait(0.5)
            except Exception:  # the entry stays pending and is claimed again
                log.exception("webhooks feeder: unexpected error; will retry")
                self._stop.wait(0.5)

    def step(self, block: float | None = None) -> int:
        """Queue the events of new entries (and of entries left pending too long)."""
        done = 0
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + max(self.claim_idle / 3, 0.05)
            done += self._claim()
        wait = self.block if block is None else block
        resp = self.redis.xreadgroup(GROUP, self.consumer, dict.fromkeys(self.streams(), ">"), count=self.batch,
                                     block=max(int(wait * 1000), 1) if wait > 0 else None)
        for stream, entries in stream_replies(resp):
            done += self._handle(_text(stream), [(_text(eid), fields) for eid, fields in entries if fields])
        return done

    def drain(self, timeout: float = 10.0) -> None:
        """Queue everything written so far, in this thread (tests)."""
        if not self._ready:
            self.ensure_groups()
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.step(block=0):
            pass

    def _claim(self) -> int:
        done = 0
        for key in self.streams():
            try:
                res = self.redis.xautoclaim(key, GROUP, self.consumer, int(self.claim_idle * 1000), start_id="0-0",
                                            count=self.batch)
            except redis_py.ResponseError:
                continue  # no group yet
            entries = [(_text(eid), fields) for eid, fields in res[1] if fields]
            if entries:
                log.info("webhooks feeder: claimed %d pending entries of %s", len(entries), key)
                done += self._handle(key, entries)
        return done

    def _handle(self, stream: str, entries: list[tuple[str, Any]]) -> int:
        events: list[HookEvent] = []
        finished: list[str] = []
        for eid, fields in entries:
            try:
                events += self.events_of(eid, fields)
            except redis_py.RedisError:
                raise
            except Exception:  # noqa: BLE001 - this entry stays pending (claimed again later)
                log.exception("webhooks feeder: entry %s of %s failed; it stays pending", eid, stream)
                continue
            finished.append(eid)
        self.webhooks.add_many(events)
        if finished:
            self.redis.xack(stream, GROUP, *finished)
        return len(finished)

    def events_of(self, eid: str, fields: Any) -> list[HookEvent]:
        f = {_text(k): v for k, v in fields.items()}
        event = codec.decode_event(f["e"], eid)
        if event.type not in HISTORY_TYPES and event.type not in MET_BY and event.type not in ACCEPTING:
            return []
        try:
            req = self.store.get(_text(f["r"]))
        except NotFound:
            return []
        policy = self.store.policy(req.policy)
        cps = self.store.timeline(req, datetime.now(UTC))
        return request_events(self.config, policy, req, event, eid, cps)


def alarm_hooks(ctx: WorkerContext, owed: Iterable[tuple[list[Notice], AlarmRef]]) -> int:
    """Queue ``sla.warning`` / ``sla.breached`` for the alarms that owed notices (called
    before the alarms are cleared: a job that dies in between queues them again, same ids)."""
    hooks = ctx.webhooks
    if hooks is None:
        return 0
    events: list[HookEvent] = []
    for notices, alarm in owed:
        if not notices or alarm.kind in NOT_SLA:
            continue
        try:
            req = ctx.store.get(alarm.request_id)
        except NotFound:
            continue
        cps = ctx.store.timeline(req, max(datetime.now(UTC), alarm.at_dt))
        cp = next((c for c in cps if c.key == alarm.checkpoint_key), None)
        if cp is None:
            continue
        events.append(alarm_event(ctx.config, ctx.policy_for(req), req, cp, alarm.alarm, alarm.member, alarm.at_dt,
                                  alarm.fraction))
    return hooks.add_many(events) if events else 0
