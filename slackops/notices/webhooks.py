"""Outgoing events (webhooks): every event reaches every endpoint that wants it, at least
once, in order per request, signed.

An event (:class:`HookEvent`: a stable id, a type, an order and its JSON body) is first
written to Redis (``add``: idempotent on the id, per endpoint). Each endpoint has one line
per request (``{endpoint}|{request id}``; maintenance events share the line
``{endpoint}|maintenance``); whoever holds a line's lease delivers for it, the way the
outbox posts to a Slack channel (:mod:`slackops.notices.outbox`):

1. intent: the line's next event is taken off its queue and written to the line's
   ``inflight`` record in one atomic step;
2. POST the body as stored, signed (``X-Slackops-Signature: v1=<hex HMAC-SHA256 of
   "v1:{timestamp}:{body}">``, ``X-Slackops-Timestamp``);
3. outcome: a 2xx clears the intent and the line's next event goes. A 5xx, a timeout, a
   refused connection or a 429 leave the intent in place and the line waits (backoff, or
   the ``Retry-After`` it was given) while other lines go on; a 4xx, or an event still
   failing 24 hours after its first attempt, is given up: kept in the ``dead`` list
   (``slackops webhooks failed``, ``slackops webhooks retry``) and the line goes on.

A worker that dies anywhere leaves the intent behind; its lease expires and the next worker
sends the same event again, with the same id and body: receivers de-duplicate on ``id``.
Nothing is ever sent twice except for that reason. Key names: :mod:`.hook_keys`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import redis as redis_py

from .hook_keys import HookKeys

if TYPE_CHECKING:
    from slackops.config import Webhook

__all__ = ["DELIVERY_WINDOW", "HookEvent", "Webhooks", "endpoint_id", "post_signed", "sign", "verify"]

log = logging.getLogger("slackops.notices.webhooks")

DELIVERY_WINDOW = 24 * 3600.0
"""Seconds an event is retried after its first attempt before it is given up (and listed)."""
KEEP = 45 * 86400
"""Seconds an event's body and its queued mark are kept (a late duplicate is still known)."""
MAX_BACKOFF = 3600.0
TOLERANCE = 300
"""Seconds a receiver should accept between ``X-Slackops-Timestamp`` and its own clock."""

_ADD = """
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) == false then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[4], 'NX', ARGV[6], ARGV[5])
return 1
"""

# KEYS: inflight, queue, dests. ARGV: dest, now. The next event becomes the intent; an
# empty line leaves the list of lines (atomically with the check, so an add is never lost).
_TAKE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HGET', KEYS[1], 'id') end
local head = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #head == 0 then redis.call('ZREM', KEYS[3], ARGV[1]) return false end
redis.call('HSET', KEYS[1], 'id', head[1], 'order', head[2], 'attempts', '0', 'first_at', ARGV[2], 'next_at', '0')
redis.call('ZREM', KEYS[2], head[1])
return head[1]
"""

# KEYS: inflight. ARGV: id. Clear the intent only if it is still this event's.
_CLEAR = """
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def endpoint_id(url: str) -> str:
    """A short, stable name for an endpoint (its URL's hash): its lines' keys carry it."""
    return hashlib.sha256(url.encode()).hexdigest()[:12]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of ``v1:{timestamp}:{body}`` under ``secret``."""
    mac = hmac.new(secret.encode(), b"v1:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None,
           tolerance: float = TOLERANCE) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True)
class HookEvent:
    """One event as queued: ``body`` is the JSON object POSTed (with ``id`` and ``type``)."""

    id: str
    type: str
    line: str  # the request id, or "maintenance"
    order: float  # its place in its line (epoch milliseconds of the event, and a tie-break)
    body: dict[str, Any]

    def encoded(self) -> str:
        return json.dumps(self.body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class _Answer:
    kind: str  # "ok" | "retry" | "refused"
    status: int = 0
    error: str = ""
    retry_after: float | None = None


def post_signed(url: str, secret: str, body: bytes, *, timeout: float, now: float | None = None) -> _Answer:
    """POST ``body`` to ``url``, signed; what came of it."""
    ts = str(int(time.time() if now is None else now))
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "slackops-webhooks",
        "X-Slackops-Timestamp": ts, "X-Slackops-Signature": sign(secret, ts, body)})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - an http(s) URL from the config
            resp.read(65536)
            return _Answer("ok", status=resp.status)
    except urllib.error.HTTPError as e:
        status = e.code
        retry_after = _retry_after(e.headers.get("Retry-After") if e.headers else None)
        e.close()
        if status == 429 or status == 408 or status >= 500:
            return _Answer("retry", status=status, error=f"HTTP {status}", retry_after=retry_after)
        return _Answer("refused", status=status, error=f"HTTP {status}")
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        return _Answer("retry", error=f"no answer: {reason}")


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (given as seconds or as an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class _LeaseLost(Exception):
    pass


class Webhooks:
    """At-least-once delivery of the desk's events to the configured endpoints."""

    def __init__(
        self,
        redis: redis_py.Redis,
        endpoints: Iterable[Webhook],
        prefix: str = "slackops",
        *,
        env: dict[str, str] | None = None,
        lease_seconds: float = 30.0,
        timeout: float = 10.0,
        backoff: float = 5.0,
        window: float = DELIVERY_WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.endpoints = {endpoint_id(w.url): w for w in endpoints}
        # read now: a missing secret stops the worker at its start, naming the variable
        self.secrets = {ep: w.secret(env) for ep, w in self.endpoints.items()}
        self.keys = HookKeys(prefix)
        self.lease_ms = int(lease_seconds * 1000)
        self.timeout = min(timeout, lease_seconds / 2)
        self.backoff = backoff
        self.window = window
        self.clock = clock
        # Told each named step of a delivery (the fault tests end the process there).
        self.crash: Callable[[str, str], None] | None = None
        self._add = redis.register_script(_ADD)
        self._take = redis.register_script(_TAKE)
        self._clear = redis.register_script(_CLEAR)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self._stop = threading.Event()
        self._busy: set[str] = set()
        self._busy_lock = threading.Lock()

    # -- queuing ---------------------------------------------------------------------
    def add_many(self, events: Iterable[HookEvent], now: float | None = None) -> int:
        """Queue each event for every endpoint that wants its type; returns how many
        (event, endpoint) pairs were new. An event queued before (same id) is not again."""
        now = self.clock() if now is None else now
        calls = []
        for e in events:
            body = e.encoded()
            for ep, w in self.endpoints.items():
                if w.wants(e.type):
                    dest = f"{ep}|{e.line}"
                    calls.append(([self.keys.event(e.id), self.keys.queued(ep, e.id), self.keys.queue(dest),
                                   self.keys.dests], [body, KEEP, repr(e.order), e.id, dest, repr(now)]))
        if not calls:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        for keys, args in calls:
            self._add(keys=keys, args=args, client=pipe)
        return sum(int(x) for x in pipe.execute())

    # -- running ---------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def ready(self, now: float, limit: int = 100) -> list[str]:
        return [d.decode() for d in self.redis.zrangebyscore(self.keys.dests, "-inf", repr(now), start=0, num=limit)]

    def pending(self) -> int:
        """Lines with something still to deliver (now or later)."""
        return int(self.redis.zcard(self.keys.dests))

    def drain(self, timeout: float = 30.0) -> None:
        """Deliver everything that can go now, in this thread (tests)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            dests = self.ready(self.clock())
            if not dests:
                if not self.pending():
                    return
                time.sleep(0.02)
                continue
            for d in dests:
                self.flush(d)

    def run(self, threads: int = 4, poll: float = 0.05) -> None:
        """The dispatcher: deliver on every line that is ready, several at a time."""
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhooks") as pool:
            while not self._stop.is_set():
                try:
                    dests = self.ready(self.clock())
                except redis_py.RedisError as e:
                    log.warning("webhooks: Redis unavailable (%s); retrying", e)
                    self._stop.wait(0.5)
                    continue
                for d in dests:
                    with self._busy_lock:
                        if d in self._busy:
                            continue
                        self._busy.add(d)
                    pool.submit(self._flush_guarded, d)
                self._stop.wait(poll)

    def _flush_guarded(self, dest: str) -> None:
        try:
            self.flush(dest)
        except redis_py.RedisError as e:
            log.warning("webhooks %s: Redis unavailable (%s); will retry", dest, e)
            self._stop.wait(0.5)
        except Exception:  # keep the dispatcher alive; the intent stays for the next try
            log.exception("webhooks %s: unexpected error; will retry", dest)
            self._stop.wait(0.5)
        finally:
            with self._busy_lock:
                self._busy.discard(dest)

    # -- one line ----------------------------------------------------------------------
    def flush(self, dest: str) -> None:
        """Deliver what waits on ``dest`` while holding its lease; stop at a failure."""
        token = uuid.uuid4().hex
        lease = self.keys.lease(dest)
        if not self.redis.set(lease, token, nx=True, px=self.lease_ms):
            return  # another worker has it
        try:
            while not self._stop.is_set():
                self._hold(dest, token)
                raw = self._take(keys=[self.keys.inflight(dest), self.keys.queue(dest), self.keys.dests],
                                 args=[dest, repr(self.clock())])
                if raw is None:
                    return  # nothing left: the line is gone from the list
                if not self._deliver(dest, token, raw.decode()):
                    return
        except _LeaseLost:
            log.warning("webhooks %s: lease lost; another worker carries on", dest)
        finally:
            self._release(keys=[lease], args=[token])

    def _hold(self, dest: str, token: str) -> None:
        if not self._renew(keys=[self.keys.lease(dest)], args=[token, self.lease_ms]):
            raise _LeaseLost(dest)

    def _reached(self, point: str, detail: str) -> None:
        if self.crash is not None:
            self.crash(point, detail)

    def _deliver(self, dest: str, token: str, event_id: str) -> bool:
        """One attempt at the line's intent. True: done with it (delivered or given up), go on."""
        key = self.keys.inflight(dest)
        state = {k.decode(): v.decode() for k, v in self.redis.hgetall(key).items()}
        now = self.clock()
        if float(state.get("next_at") or 0) > now:  # waiting out a backoff
            self.redis.zadd(self.keys.dests, {dest: float(state["next_at"])})
            return False
        ep = dest.split("|", 1)[0]
        body = self.redis.get(self.keys.event(event_id))
        endpoint = self.endpoints.get(ep)
        if body is None or endpoint is None:
            why = "its record expired" if body is None else "its endpoint is no longer configured"
            self._give_up(dest, event_id, state, why)
            return True
        attempts = int(state.get("attempts") or 0) + 1
        self.redis.hset(key, mapping={"attempts": str(attempts), "last_at": repr(now)})
        self._reached("webhook:posting", dest)
        answer = post_signed(endpoint.url, self.secrets[ep], body, timeout=self.timeout, now=now)
        self._hold(dest, token)
        if answer.kind == "ok":
            self._reached("webhook:posted", dest)
            self._clear(keys=[key], args=[event_id])
            self.redis.hincrby(self.keys.delivered, ep, 1)
            return True
        first = float(state.get("first_at") or now)
        if answer.kind == "refused" or self.clock() - first >= self.window:
            self._give_up(dest, event_id, {**state, "attempts": str(attempts)}, answer.error)
            return True
        wait = answer.retry_after if answer.retry_after is not None else min(
            self.backoff * 2 ** (attempts - 1), MAX_BACKOFF)
        wait = min(wait, max(0.0, first + self.window - self.clock()) + 0.001)
        nxt = self.clock() + wait
        self.redis.hset(key, mapping={"next_at": repr(nxt), "error": answer.error})
        self.redis.zadd(self.keys.dests, {dest: nxt})
        log.info("webhooks %s: %s (%s, attempt %d); again in %.1f s", dest, event_id, answer.error, attempts, wait)
        return False

    def _give_up(self, dest: str, event_id: str, state: dict[str, str], error: str) -> None:
        ep, line = dest.split("|", 1)
        endpoint = self.endpoints.get(ep)
        body = self.redis.get(self.keys.event(event_id))
        etype = json.loads(body).get("type", "") if body else ""
        record = {"id": event_id, "type": etype, "endpoint": ep, "url": endpoint.url if endpoint else "",
                  "line": line, "order": float(state.get("order") or 0), "error": error, "attempts": int(state.get("attempts") or 0),
                  "first_at": float(state.get("first_at") or self.clock()), "given_up_at": self.clock()}
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.keys.dead, f"{ep}|{event_id}", json.dumps(record))
        pipe.delete(self.keys.inflight(dest))
        pipe.execute()
        log.error("webhooks %s: %s given up: %s (listed by `slackops webhooks failed`)", dest, event_id, error)

    # -- the operator's view -------------------------------------------------------------
    def failed(self) -> list[dict[str, Any]]:
        """Events given up (``state: given up``) and events being retried (``state:
        retrying``), oldest first."""
        out = [dict(json.loads(v), state="given up") for v in self.redis.hvals(self.keys.dead)]
        for raw in self.redis.zrange(self.keys.dests, 0, -1):
            dest = raw.decode()
            state = {k.decode(): v.decode() for k, v in self.redis.hgetall(self.keys.inflight(dest)).items()}
            if int(state.get("attempts") or 0) == 0 or not state.get("error"):
                continue
            ep, line = dest.split("|", 1)
            endpoint = self.endpoints.get(ep)
            out.append({"id": state["id"], "endpoint": ep, "url": endpoint.url if endpoint else "", "line": line,
                        "error": state["error"], "attempts": int(state["attempts"]),
                        "first_at": float(state.get("first_at") or 0), "next_at": float(state.get("next_at") or 0),
                        "state": "retrying"})
        return sorted(out, key=lambda r: r["first_at"])

    def retry(self, event_id: str | None = None) -> int:
        """Queue given-up events again (one id, or all with None), each in its own place in
        its line, to go now; a retrying line is tried now. Returns how many."""
        n = 0
        now = self.clock()
        for field, raw in self.redis.hgetall(self.keys.dead).items():
            rec = json.loads(raw)
            if event_id is not None and rec["id"] != event_id:
                continue
            dest = f"{rec['endpoint']}|{rec['line']}"
            if not self.redis.exists(self.keys.event(rec["id"])):
                continue  # its record expired: nothing left to send
            order = float(rec.get("order") or now)
            pipe = self.redis.pipeline(transaction=True)
            pipe.zadd(self.keys.queue(dest), {rec["id"]: order})
            pipe.zadd(self.keys.dests, {dest: now})
            pipe.hdel(self.keys.dead, field)
            pipe.execute()
            n += 1
        for raw in self.redis.zrange(self.keys.dests, 0, -1):
            dest = raw.decode()
            state = self.redis.hget(self.keys.inflight(dest), "id")
            if state and (event_id is None or state.decode() == event_id):
                self.redis.hset(self.keys.inflight(dest), "next_at", "0")
                self.redis.zadd(self.keys.dests, {dest: now})
                n += 1
        return n

    def delivered(self) -> dict[str, int]:
        return {k.decode(): int(v) for k, v in self.redis.hgetall(self.keys.delivered).items()}
