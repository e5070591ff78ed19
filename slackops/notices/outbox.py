"""The outbox: every notice reaches Slack exactly once, whatever fails.

A notice is first written to Redis (``add``: idempotent on its deterministic id) and
queued for its destination. Whoever holds a destination's lease posts for it, at most
one message a second (:mod:`slackops.notices.pacing`), folding a backlog into digests
(:mod:`slackops.notices.digest`):

1. intent: the message about to be posted (its notice id, text, the channel's
   watermark) is written to the destination's ``inflight`` record, atomically with
   taking its notices off the queue;
2. post, carrying ``metadata`` ``{"event_type": "slackops_notice",
   "event_payload": {"notice_id": ...}}``;
3. outcome: the notices are marked sent (with the message ts) and the intent cleared.

A worker that dies anywhere in between leaves the intent behind; its lease expires and
the next worker finds it. If a post may have landed (the process died after step 1's
"posting" mark, or Slack timed out / answered 5xx), the channel or thread is read back
(``conversations.history`` / ``replies`` with ``include_all_metadata``, only messages
newer than the watermark recorded with the intent) and the notice is recorded as sent
if Slack already has it. A 429 waits its Retry-After; 5xx and timeouts retry with
backoff; nothing is dropped: a permanent Slack error (``channel_not_found``...) is kept
in the ``failed`` list and logged.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import redis as redis_py
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from . import digest
from .client import make_client
from .keys import NoticeKeys
from .notice import Notice
from .pacing import Pacer
from .scripts import ADD as _ADD
from .scripts import IDLE as _IDLE
from .scripts import RECORD as _RECORD
from .scripts import RELEASE as _RELEASE
from .scripts import RENEW as _RENEW
from .scripts import TAKE as _TAKE

__all__ = ["EVENT_TYPE", "Outbox", "SENT_TTL", "make_client"]

log = logging.getLogger("slackops.notices.outbox")

EVENT_TYPE = "slackops_notice"
SENT_TTL = 45 * 86400
"""Seconds a delivered notice's record is kept (so that a late duplicate is recognised)."""
RECHECK_AFTER = 2.0
"""A notice queued longer ago than this (seconds) is judged again just before it goes out:
two pacing slots, so only one that waited (a backlog, a 429, a dead worker's lease) pays
the store read; docs/workers.md says why."""

HEAD = 20
"""Notices read from the head of a queue when no digest is due: the first that can go
now goes (a reply waiting for its thread's root is passed over)."""

_RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}

def _payload(inflight: dict[str, str]) -> dict[str, Any]:
    """The message's notice id; a digest also lists the notices it carries."""
    ids = json.loads(inflight["ids"])
    out: dict[str, Any] = {"notice_id": inflight["batch"]}
    if len(ids) > 1:
        out["notice_ids"] = ids
    return out


class _LeaseLost(Exception):
    pass


class _Stopped(Exception):
    """Asked to stop while waiting to retry: the intent stays recorded for the next worker."""


@dataclass
class _Outcome:
    kind: str  # "ok" | "ratelimited" | "ambiguous" | "permanent"
    ts: str = ""
    retry_after: float = 0.0
    error: str = ""


class Outbox:
    """Exactly-once delivery of notices to Slack, shared by any number of workers."""

    def __init__(
        self,
        redis: redis_py.Redis,
        client: WebClient,
        prefix: str = "slackops",
        *,
        interval: float = 1.0,
        lease_seconds: float = 30.0,
        max_digest: int = digest.MAX_ITEMS,
        timeout_settle: float | None = None,
        still_holds: Callable[[Notice, float], bool] | None = None,
        after_sent: Callable[[list[str], str, str], None] | None = None,
        recheck_after: float = RECHECK_AFTER,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.redis = redis
        self.client = client
        self.prefix = prefix
        self.keys = NoticeKeys(prefix)
        self.pacer = Pacer(redis, prefix, interval)
        self.lease_ms = int(lease_seconds * 1000)
        self.max_digest = max_digest
        # After a timeout the post may still land a moment later: wait this long before
        # reading the channel back (default: twice the client's timeout).
        self.timeout_settle = timeout_settle if timeout_settle is not None else 2.0 * float(client.timeout or 10)
        self.still_holds = still_holds
        # Told (notice ids, channel, ts) once a message is recorded as sent: the publisher
        # remembers where a request's card went. Not part of the exactly-once guarantee: a
        # hook lost with the process is repaired from the notice's record (``state``).
        self.after_sent = after_sent
        self.on_delivered: Callable[[list[float], float], None] | None = None
        self.recheck_after = recheck_after
        # Told each named step of a post (docs/workers.md, "Crash points"); the fault tests'
        # hook ends the process there. None: nothing to tell.
        self.crash: Callable[[str, str], None] | None = None
        self.clock = clock
        self.sleep = sleep
        self._add = redis.register_script(_ADD)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self._take = redis.register_script(_TAKE)
        self._record = redis.register_script(_RECORD)
        self._idle = redis.register_script(_IDLE)
        self._stop = threading.Event()
        self._busy: set[str] = set()
        self._busy_lock = threading.Lock()

    # -- keys ------------------------------------------------------------------------
    # (slackops.notices.keys documents each)
    def _n(self, notice_id: str) -> str:
        return self.keys.notice(notice_id)

    def _q(self, dest: str) -> str:
        return self.keys.queue(dest)

    def _qf(self, dest: str) -> str:
        return self.keys.queue_foldable(dest)

    def _inflight(self, dest: str) -> str:
        return self.keys.inflight(dest)

    def _lease(self, dest: str) -> str:
        return self.keys.lease(dest)

    @property
    def _dests(self) -> str:
        return self.keys.dests

    @property
    def _wm(self) -> str:
        return self.keys.watermarks

    @property
    def failed_key(self) -> str:
        return self.keys.failed

    # -- public ----------------------------------------------------------------------
    def add(self, notice: Notice, now: float | None = None) -> bool:
        """Queue ``notice``; False if a notice with this id was already queued or sent."""
        now = self.clock() if now is None else now
        return bool(self._add(
            keys=[self._n(notice.id), self._q(notice.dest), self._dests, self._qf(notice.dest)],
            args=[notice.to_json(), notice.dest, repr(now), repr(notice.due_at or now), notice.id,
                  "1" if notice.digestible else "0", repr(notice.urgency(now))],
        ))

    def add_many(self, notices: list[Notice], now: float | None = None) -> int:
        """``add`` for many notices in one round trip; returns how many were new."""
        if not notices:
            return 0
        now = self.clock() if now is None else now
        commands = [(self._n(n.id), self._q(n.dest), self._dests, self._qf(n.dest), n.to_json(), n.dest, repr(now),
                     repr(n.due_at or now), n.id, "1" if n.digestible else "0", repr(n.urgency(now))) for n in notices]
        # EVALSHA straight into the pipeline: a Script object in a pipeline makes redis-py
        # ask SCRIPT EXISTS first, one more round trip for every call. A server that has
        # not seen the script (new, restarted) refuses the commands with NOSCRIPT: load
        # it and send them all again (_ADD is idempotent by notice id: one that did run
        # is not queued twice).
        for attempt in (1, 2):
            pipe = self.redis.pipeline(transaction=False)
            for args in commands:
                pipe.evalsha(self._add.sha, 4, *args)  # type: ignore[attr-defined]
            try:
                return sum(int(x) for x in pipe.execute())
            except redis_py.exceptions.NoScriptError:
                if attempt == 2:
                    raise
                self.redis.script_load(self._add.script)  # type: ignore[attr-defined]
        return 0  # not reached

    def add_ops(self, notices: list[Notice], now: float | None = None) -> list[list[str]]:
        """``add`` as plain Redis operations, for a write that queues notices in its own atomic
        step (``RequestStore.apply(also=...)``: an event and the notices it owes, together).
        A notice whose id is known (queued, sent) is skipped whole, as ``add`` skips it."""
        now = self.clock() if now is None else now
        out: list[list[str]] = []
        for n in notices:
            due = repr(n.due_at or now)
            ops = [["HSET", self._n(n.id), "payload", n.to_json(), "state", "queued", "dest", n.dest,
                    "queued_at", repr(now)], ["ZADD", self._q(n.dest), due, n.id]]
            if n.digestible:
                ops.append(["ZADD", self._qf(n.dest), repr(n.urgency(now)), n.id])
            ops.append(["ZADD", self._dests, "NX", repr(now), n.dest])
            out += [["SKIPIF", self._n(n.id), str(len(ops))], *ops]
        if any(not a or "\t" in a or "\n" in a for op in out for a in op):
            raise ValueError("a notice's id, destination or payload holds a tab or a newline")
        return out

    def state(self, notice_id: str) -> dict[str, str]:
        raw = self.redis.hgetall(self._n(notice_id))
        return {k.decode(): v.decode() for k, v in raw.items() if k != b"payload"}

    def posted(self, notice_id: str) -> tuple[str, str, Notice] | None:
        """(channel, ts, the notice) of a notice posted as a message of its own (not folded
        into a digest) whose record is still kept; None otherwise. A DM's channel is the one
        the outbox opened for it."""
        raw = {k.decode(): v.decode() for k, v in self.redis.hgetall(self._n(notice_id)).items()}
        if raw.get("state") != "sent" or not raw.get("ts") or raw.get("batch") != notice_id or "payload" not in raw:
            return None
        n = Notice.from_json(raw["payload"])
        channel = self.redis.hget(self.keys.dm_channels, n.dest) if n.dest[:1] in ("U", "W") else n.dest.encode()
        return (channel.decode(), raw["ts"], n) if channel else None
    def notice(self, notice_id: str) -> Notice | None:
        """The notice as it was queued, while its record is kept."""
        raw = self.redis.hget(self._n(notice_id), "payload")
        return Notice.from_json(raw) if raw else None

    def due_of(self, ids: list[str]) -> list[float]:
        """The due instants (epoch seconds) of these notices, where they are still kept."""
        pipe = self.redis.pipeline(transaction=False)
        for i in ids:
            pipe.hget(self._n(i), "payload")
        return [float(json.loads(p).get("due_at") or 0) for p in pipe.execute() if p]

    def backlog(self, now: float) -> tuple[int, float]:
        """(notices waiting to be posted, seconds since the oldest of them was due) for metrics."""
        dests = [d.decode() for d in self.redis.zrange(self._dests, 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for d in dests:
            pipe.zcard(self._q(d))
            pipe.zrange(self._q(d), 0, 0, withscores=True)
        raw = pipe.execute()
        depth = sum(int(raw[2 * i]) for i in range(len(dests)))
        heads = [raw[2 * i + 1][0][1] for i in range(len(dests)) if raw[2 * i + 1]]
        return depth, max(0.0, now - min(heads)) if heads else 0.0

    def pending(self) -> int:
        """Destinations that still have something to post."""
        return int(self.redis.zcard(self._dests))

    def failed(self) -> list[dict[str, Any]]:
        return [json.loads(x) for x in self.redis.lrange(self.failed_key, 0, -1)]

    def stop(self) -> None:
        self._stop.set()

    def ready(self, now: float, limit: int = 100) -> list[str]:
        return [d.decode() for d in self.redis.zrangebyscore(self._dests, "-inf", repr(now), start=0, num=limit)]

    def drain(self, timeout: float = 60.0) -> None:
        """Post everything that can go out now, in this thread (tests, benchmarks)."""
        end = self.clock() + timeout
        while self.clock() < end:
            dests = self.ready(self.clock())
            if not dests:
                if not self.pending():
                    return
                self.sleep(0.02)
                continue
            for d in dests:
                self.flush(d)

    def run(self, threads: int = 8, poll: float = 0.02) -> None:
        """The dispatcher: flush every destination that is ready, several at a time."""
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="outbox") as pool:
            while not self._stop.is_set():
                try:
                    dests = self.ready(self.clock())
                except redis_py.RedisError as e:
                    log.warning("outbox: Redis unavailable (%s); retrying", e)
                    self._stop.wait(0.5)
                    continue
                started = 0
                for d in dests:
                    with self._busy_lock:
                        if d in self._busy:
                            continue
                        self._busy.add(d)
                    pool.submit(self._flush_guarded, d)
                    started += 1
                self._stop.wait(poll)

    def _flush_guarded(self, dest: str) -> None:
        try:
            self.flush(dest)
        except redis_py.RedisError as e:
            log.warning("outbox %s: Redis unavailable (%s); will retry", dest, e)
            self._nap(0.5)
        except Exception:  # keep the dispatcher alive; the intent stays for the next try
            log.exception("outbox %s: unexpected error; will retry", dest)
            self._nap(0.5)
        finally:
            with self._busy_lock:
                self._busy.discard(dest)

    # -- one destination ------------------------------------------------------------
    def flush(self, dest: str) -> None:
        """Post what is waiting for ``dest`` while holding its lease."""
        token = uuid.uuid4().hex
        lease = self._lease(dest)
        if not self.redis.set(lease, token, nx=True, px=self.lease_ms):
            return  # another worker has it
        try:
            while not self._stop.is_set():
                self._hold(dest, token)
                inflight = self.redis.hgetall(self._inflight(dest))
                if inflight:
                    if not self._deliver(dest, token, {k.decode(): v.decode() for k, v in inflight.items()}):
                        return
                    continue
                now = self.clock()
                free = self.pacer.next_free(dest)
                if free > now:
                    # come back when the channel is free; the lease is released below
                    self.redis.zadd(self._dests, {dest: free}, xx=True)
                    return
                if not self._next_batch(dest, token, now):
                    self._idle(keys=[self._q(dest), self._inflight(dest), self._dests], args=[dest])
                    return
        except _LeaseLost:
            log.warning("outbox %s: lease lost; another worker carries on", dest)
        except _Stopped:
            log.info("outbox %s: stopping; what is unsent stays recorded", dest)
        finally:
            self._release(keys=[lease], args=[token])

    def _hold(self, dest: str, token: str) -> None:
        if not self._renew(keys=[self._lease(dest)], args=[token, self.lease_ms]):
            raise _LeaseLost(dest)

    def _next_batch(self, dest: str, token: str, now: float) -> bool:
        """Write the intent for the next message of ``dest``; False when nothing waits."""
        # Foldable notices (alarms) go first, the most urgent first: two or more go out as one
        # digest (read them all), one alone; a backlog of cards delays them one slot at most.
        # Otherwise the oldest notice goes alone: read only the head of the queue, not a
        # backlog of thread replies that will each go out on its own anyway.
        if self.redis.zcard(self._qf(dest)):
            ids = [i.decode() for i in self.redis.zrange(self._qf(dest), 0, max(self.max_digest, 1) - 1)]
        else:
            ids = [i.decode() for i in self.redis.zrange(self._q(dest), 0, HEAD - 1)]
        if not ids:
            return False
        pipe = self.redis.pipeline(transaction=False)
        for i in ids:
            pipe.hget(self._n(i), "payload")
            pipe.hget(self._n(i), "queued_at")
        raw = pipe.execute()
        waiting: list[Notice] = []
        stale: list[str] = []
        held = False
        for idx, i in enumerate(ids):
            payload, queued_at = raw[2 * idx], raw[2 * idx + 1]
            if payload is None:
                stale.append(i)
                continue
            n = Notice.from_json(payload)
            if n.thread_of and not n.thread_ts:
                # a reply in the thread of a message not posted yet (a new request's card)
                root = self.state(n.thread_of)
                if root.get("state") == "sent" and root.get("ts"):
                    n = replace(n, thread_ts=root["ts"])
                elif root.get("state") == "queued":
                    held = True  # wait for the root; it is ahead in this queue
                    continue
                else:  # the root was refused for good (or is gone): the reply has no thread
                    log.error("outbox %s: %s dropped: its thread's root %s is %s", dest, n.id, n.thread_of,
                              root.get("state", "gone"))
                    self.redis.rpush(self.failed_key, json.dumps({"dest": dest, "batch": n.id, "ids": [n.id],
                                                                  "error": "no_thread_root", "at": now}))
                    self._void(n, now)
                    stale.append(i)
                    continue
            # "A notice that is no longer true is not sent": re-check the ones that waited.
            if (self.still_holds and n.recheck and queued_at is not None
                    and now - float(queued_at) >= self.recheck_after and not self.still_holds(n, now)):
                self._void(n, now)
                stale.append(i)
                continue
            waiting.append(n)
        if stale:
            self.redis.zrem(self._q(dest), *stale)
            self.redis.zrem(self._qf(dest), *stale)
        if not waiting:
            if held:  # come back shortly for the replies waiting on their root
                self.redis.zadd(self._dests, {dest: now + 0.2}, xx=True)
                return False
            return bool(self.redis.zcard(self._q(dest)))
        batch = digest.choose_batch(waiting, self.max_digest)
        text, blocks = digest.render(batch)
        bid = digest.batch_id(batch)
        wm = self.redis.hget(self._wm, self._channel_key(dest, batch[0].thread_ts)) or b""
        fields = {
            "batch": bid,
            "ids": json.dumps([n.id for n in batch]),
            "text": text,
            "blocks": json.dumps(blocks),
            "thread_ts": batch[0].thread_ts or "",
            "broadcast": "1" if len(batch) == 1 and batch[0].broadcast else "",
            "wm": wm.decode(),
            "created": repr(now),
            "maybe_posted": "0",
        }
        flat: list[str] = [str(len(fields))]
        for k, v in fields.items():
            flat += [k, v]
        self._hold(dest, token)
        self._take(keys=[self._inflight(dest), self._q(dest), self._qf(dest)], args=flat + [n.id for n in batch])
        self._reached("outbox:taken", dest)
        return True

    def _reached(self, point: str, detail: str) -> None:
        if self.crash is not None:
            self.crash(point, detail)

    def _void(self, n: Notice, now: float) -> None:
        self.redis.hset(self._n(n.id), mapping={"state": "void", "sent_at": repr(now)})
        self.redis.expire(self._n(n.id), SENT_TTL)

    def _channel_key(self, dest: str, thread_ts: str | None) -> str:
        # watermarks are per channel: a DM's dest is the user, its channel is the same 1:1
        return dest

    # -- posting ---------------------------------------------------------------------
    def _deliver(self, dest: str, token: str, inflight: dict[str, str]) -> bool:
        """Post the intent of ``dest`` exactly once. False: give up for now (lease lost)."""
        bid = inflight["batch"]
        ids = json.loads(inflight["ids"])
        thread_ts = inflight.get("thread_ts") or None
        backoff = 0.5
        channel = self._resolve(dest, token)
        if inflight.get("maybe_posted") == "1":
            # a worker died while posting: its request may still be on its way to Slack;
            # read back only once it has surely landed or been given up
            started = float(inflight.get("posting_at") or 0)
            self._pause(dest, token, started + self.timeout_settle - self.clock())
            ts = self._reconcile(channel, thread_ts, inflight.get("wm") or None, bid)
            if ts:
                log.info("outbox %s: %s was already posted (ts %s); recorded", dest, bid, ts)
                self._record_sent(dest, channel, ids, bid, ts, "sent")
                return True
        while not self._stop.is_set():
            self._wait_slot(dest, token)
            self.redis.hset(self._inflight(dest), mapping={"maybe_posted": "1", "posting_at": repr(self.clock())})
            out = self._post(channel, inflight, thread_ts)
            if out.kind != "ratelimited":
                # pace from when Slack answered, so that arrivals (not only departures) are
                # at least an interval apart whatever the network's jitter
                self.pacer.push_back(dest, self.clock() + self.pacer.interval)
            if out.kind == "ok":
                self._record_sent(dest, channel, ids, bid, out.ts, "sent")
                return True
            if out.kind == "ratelimited":
                # Slack did not take it: nothing to reconcile
                self.redis.hset(self._inflight(dest), "maybe_posted", "0")
                self.pacer.push_back(dest, self.clock() + out.retry_after)
                log.info("outbox %s: 429, waiting %.1f s", dest, out.retry_after)
                continue
            if out.kind == "permanent":
                log.error("outbox %s: Slack refused %s: %s (kept in %s)", dest, bid, out.error, self.failed_key)
                self.redis.rpush(self.failed_key, json.dumps({"dest": dest, "batch": bid, "ids": ids, "error": out.error, "at": self.clock()}))
                self._record_sent(dest, channel, ids, bid, "", "failed:" + out.error)
                return True
            # ambiguous: it may have landed. Wait, then read the channel back before posting again.
            wait = self.timeout_settle if out.error == "timeout" else backoff
            log.warning("outbox %s: %s (%s); reading back in %.1f s", dest, out.error, bid, wait)
            self._pause(dest, token, wait)
            backoff = min(backoff * 2, 30.0)
            ts = self._reconcile(channel, thread_ts, inflight.get("wm") or None, bid)
            if ts:
                self._record_sent(dest, channel, ids, bid, ts, "sent")
                return True
            self.redis.hset(self._inflight(dest), "maybe_posted", "0")
        return False

    def _pause(self, dest: str, token: str, seconds: float) -> None:
        end = self.clock() + seconds
        while True:
            self._hold(dest, token)
            left = end - self.clock()
            if left <= 0:
                return
            self._nap(min(left, self.lease_ms / 3000.0))

    def _nap(self, seconds: float) -> None:
        """Sleep, but wake as soon as a stop is asked for (and raise :class:`_Stopped`)."""
        if self.sleep is time.sleep:
            self._stop.wait(seconds)
        else:
            self.sleep(seconds)
        if self._stop.is_set():
            raise _Stopped()

    def _wait_slot(self, dest: str, token: str) -> None:
        at = self.pacer.reserve(dest, self.clock())
        self._pause(dest, token, at - self.clock())

    def _post(self, channel: str, inflight: dict[str, str], thread_ts: str | None) -> _Outcome:
        kw: dict[str, Any] = {
            "channel": channel,
            "text": inflight["text"],
            "metadata": {"event_type": EVENT_TYPE, "event_payload": _payload(inflight)},
            "unfurl_links": False,
        }
        blocks = json.loads(inflight.get("blocks") or "[]")
        if blocks:
            kw["blocks"] = blocks
        if thread_ts:
            kw["thread_ts"] = thread_ts
            if inflight.get("broadcast"):
                kw["reply_broadcast"] = True
        self._reached("outbox:posting", channel)
        try:
            resp = self.client.chat_postMessage(**kw)
            self._reached("outbox:posted", channel)
            return _Outcome("ok", ts=str(resp["ts"]))
        except SlackApiError as e:
            return self._classify(e)
        except (TimeoutError, OSError) as e:
            return _Outcome("ambiguous", error="timeout" if "timed out" in str(e) or isinstance(e, TimeoutError) else f"connection: {e}")

    @staticmethod
    def _classify(e: SlackApiError) -> _Outcome:
        status = getattr(e.response, "status_code", 200)
        if status == 429:
            ra = e.response.headers.get("Retry-After") or e.response.headers.get("retry-after") or "1"
            try:
                wait = float(ra)
            except ValueError:
                wait = 1.0
            return _Outcome("ratelimited", retry_after=max(wait, 0.0))
        err = str(e.response.get("error", "")) if hasattr(e.response, "get") else ""
        if status >= 500 or err in _RETRYABLE_ERRORS:
            return _Outcome("ambiguous", error=f"HTTP {status} {err}".strip())
        return _Outcome("permanent", error=err or f"HTTP {status}")

    def _record_sent(self, dest: str, channel: str, ids: list[str], bid: str, ts: str, state: str) -> None:
        self._record(
            keys=[self._inflight(dest), self._wm, self.keys.sent, *[self._n(i) for i in ids]],
            args=[self._channel_key(dest, None), ts, bid, repr(self.clock()), SENT_TTL, state],
        )
        self._reached("outbox:recorded", dest)
        if state == "sent" and self.after_sent is not None:
            try:
                self.after_sent(ids, channel, ts)
            except Exception:  # noqa: BLE001 - delivery is recorded; the hook is repaired later
                log.exception("outbox %s: after-sent hook failed for %s", dest, bid)
        if state == "sent" and self.on_delivered is not None:
            try:  # metrics: how late each notice reached Slack (slackops.operations.metrics)
                self.on_delivered(self.due_of(ids), self.clock())
            except Exception:  # noqa: BLE001 - a metric must never stop delivery
                log.debug("outbox %s: delivery hook failed", dest, exc_info=True)

    # -- reading back ----------------------------------------------------------------
    def _call(self, dest: str, token: str | None, fn: Callable[[], Any]) -> Any:
        """An idempotent Web API call, retried through 429 / 5xx / timeouts."""
        backoff = 0.5
        while True:
            if self._stop.is_set():
                raise _Stopped()
            try:
                return fn()
            except SlackApiError as e:
                out = self._classify(e)
                if out.kind == "permanent":
                    raise
                wait = out.retry_after if out.kind == "ratelimited" else backoff
            except (TimeoutError, OSError):
                wait = backoff
            backoff = min(backoff * 2, 30.0)
            if token:
                self._pause(dest, token, wait)
            else:
                self._nap(wait)

    def _resolve(self, dest: str, token: str | None = None) -> str:
        """A user id means "their DMs": open (once) and cache the DM channel."""
        if dest[:1] not in ("U", "W"):
            return dest
        cached = self.redis.hget(self.keys.dm_channels, dest)
        if cached:
            return cached.decode()
        resp = self._call(dest, token, lambda: self.client.conversations_open(users=dest))
        channel = resp["channel"]["id"]
        self.redis.hset(self.keys.dm_channels, dest, channel)
        return channel

    def _reconcile(self, channel: str, thread_ts: str | None, wm: str | None, bid: str) -> str | None:
        """The ts of a message carrying notice id ``bid`` newer than the watermark, if any."""
        cursor = None
        for _ in range(10):  # bounded: at most 10 pages of the window since the intent
            kw: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": 200}
            if wm:
                kw["oldest"] = wm
            if cursor:
                kw["cursor"] = cursor
            try:
                if thread_ts:
                    resp = self._call(channel, None, lambda kw=kw: self.client.conversations_replies(ts=thread_ts, **kw))  # type: ignore[misc]
                else:
                    resp = self._call(channel, None, lambda kw=kw: self.client.conversations_history(**kw))  # type: ignore[misc]
            except SlackApiError as e:  # nothing there to find (an empty channel, no thread)
                log.info("outbox: reading %s back: %s", channel, e.response.get("error"))
                return None
            for m in resp.get("messages", []):
                md = m.get("metadata") or {}
                if md.get("event_type") == EVENT_TYPE and (md.get("event_payload") or {}).get("notice_id") == bid:
                    return str(m["ts"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None
