"""The request store: requests, their history and their deadlines in Redis.

Every write is one Lua script run (``WRITE`` in :mod:`slackops.requests.scripts`), so that it is atomic: it checks the
version the caller read, the idempotency key of the delivery, then writes the state, appends
the history entry, moves the request between the open indexes and replaces its alarms in
the deadline index. A write that lost a race (the version moved) is recomputed from the
fresh state, or reported as :class:`ConflictError` when the caller named the version it saw.

The alarms each write sets in the deadline index are planned by
:mod:`slackops.requests.alarms` (pure, from the policy's timeline) and written in the same
script. When a cycle of a cadence passes without an event, the workers ``advance`` the
alarms to the next cycle.
"""

from __future__ import annotations

import builtins
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import redis as redis_py

from slackops.requests import codec
from slackops.requests.alarms import Alarm, AlarmIndex, plan, score
from slackops.requests.connect import eval_and_wait, replicas_to_wait
from slackops.requests.contracts import judged
from slackops.requests.deliveries import Deliveries
from slackops.requests.ids import make_id, parse_id
from slackops.requests.keys import Keys
from slackops.requests.model import (
    ConflictError,
    DomainError,
    Event,
    NotFound,
    Request,
    Rules,
    apply,
    recorded,
    submit,
    utc,
)
from slackops.requests.policies import Policies
from slackops.requests.scripts import WRITE

if TYPE_CHECKING:
    from slackops.config import Config
    from slackops.policy import Checkpoint, Policy

__all__ = ["RequestStore"]

#: How many times a write without ``expected_version`` is recomputed after losing a race.
MAX_RETRIES = 50
#: How many requests a store remembers as a first guess for its next write to them.
CACHE_SIZE = 10_000
#: How long an idempotency key remembers its write (Slack redelivers for minutes, not days).
IDEMPOTENCY_TTL = 86400

def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class RequestStore:
    """The one store API that the Slack app and the workers share (docs/ARCHITECTURE.md)."""

    def __init__(self, redis: redis_py.Redis[bytes], config: Config, prefix: str = "slackops", *,
                 policies: Policies | None = None) -> None:
        self.redis = redis
        self.config = config
        self.keys = Keys(prefix)
        #: The desk's policies (its own registry unless one is handed in).
        self.policies = policies if policies is not None else Policies(config)
        #: Inbound de-duplication (Slack's redeliveries).
        self.deliveries = Deliveries(redis, self.keys)
        self._write = redis.register_script(WRITE)
        #: The deadline index (the alarm planner's output, the workers' input).
        self.alarms = AlarmIndex(redis, self.keys)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, codec.Stored] = OrderedDict()

        #: Replicas that must have a write before it is reported saved (WAIT; 1 behind Sentinel).
        self.wait_replicas = replicas_to_wait(redis)

    # ------------------------------------------------------------------ policies

    def policy(self, name: str) -> Policy:
        """The loaded policy (with the operator's closures): ``self.policies.get``."""
        return self.policies.get(name)

    def rules(self, name: str) -> Rules:
        return self.policies.rules(name)

    # ------------------------------------------------------------------ reading

    def get(self, request_id: str) -> Request:
        account, number = parse_id(request_id)
        rid = make_id(account, number)
        raw = self.redis.get(self.keys.request(rid))
        if raw is None:
            raise NotFound(f"there is no request {rid}")
        return codec.decode_request(raw)[0]

    def _load(self, request_id: str) -> codec.Stored:
        account, number = parse_id(request_id)
        rid = make_id(account, number)
        raw = self.redis.get(self.keys.request(rid))
        if raw is None:
            self._forget(rid)
            raise NotFound(f"there is no request {rid}")
        found = codec.decode_request(raw)
        self._remember(found)
        return found

    # A small cache of the requests this store wrote or read last. Only a first guess for a
    # write: the write script checks the version and answers a conflict with the current
    # state, so a stale entry costs one retry, never a wrong write.

    def _cached(self, request_id: str) -> codec.Stored | None:
        with self._lock:
            hit = self._cache.get(request_id)
            if hit is not None:
                self._cache.move_to_end(request_id)
            return hit

    def _remember(self, stored: codec.Stored) -> None:
        rid = stored.request.id
        with self._lock:
            self._cache[rid] = stored
            self._cache.move_to_end(rid)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _forget(self, request_id: str) -> None:
        with self._lock:
            self._cache.pop(request_id, None)

    def _accounts(self, account: str | None) -> list[str]:
        known = [a.id for a in self.config.accounts]
        if account is None:
            return known
        if account.lower() not in known:
            raise DomainError(f"{account!r} is not an account (known: {', '.join(known) or 'none'})")
        return [account.lower()]

    def _mget(self, ids: Iterable[str]) -> list[Request]:
        ids = list(ids)
        out: list[Request] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for raw in self.redis.mget([self.keys.request(x) for x in chunk]):
                if raw is not None:
                    out.append(codec.decode_request(raw)[0])
        return out

    def list(
        self,
        account: str | None = None,
        open_only: bool = True,
        assignee: str | None = None,
        priority: str | None = None,
    ) -> list[Request]:
        """Requests, oldest first per account (accounts in the configuration's order)."""
        accounts = self._accounts(account)
        order = {a: i for i, a in enumerate(accounts)}
        ids: Iterable[str]
        if open_only:
            if assignee or priority:
                sets = []
                if assignee:
                    sets.append(self.keys.open_by_assignee(assignee))
                if priority:
                    sets.append(self.keys.open_by_priority(priority))
                ids = {_text(cast("bytes", x)) for x in self.redis.sinter(sets)}
                prefixes = tuple(f"{a.upper()}-" for a in accounts)
                ids = {x for x in ids if x.startswith(prefixes)}
            else:
                pipe = self.redis.pipeline(transaction=False)
                for a in accounts:
                    pipe.smembers(self.keys.open_by_account(a))
                ids = {_text(x) for members in pipe.execute() for x in members}
            reqs = self._mget(ids)
        else:
            pipe = self.redis.pipeline(transaction=False)
            for a in accounts:
                pipe.get(self.keys.counter(a))
            counts = [int(c or 0) for c in pipe.execute()]
            ids = [make_id(a, n) for a, c in zip(accounts, counts, strict=True) for n in range(1, c + 1)]
            reqs = [
                r for r in self._mget(ids)
                if (not assignee or r.assignee == assignee) and (not priority or r.priority == priority)
            ]
        reqs.sort(key=lambda r: (order.get(r.account, len(order)), r.number))
        return reqs

    def history(self, request_id: str) -> builtins.list[Event]:
        """The request's events, oldest first (its entries in the account's stream)."""
        req, _alarms, entries, _writes = self._load(request_id)
        stream = self.keys.history(req.account)
        pipe = self.redis.pipeline(transaction=False)
        for sid in entries:
            pipe.xrange(stream, sid, sid, count=1)
        events = []
        for found in pipe.execute():
            for sid, fields in found:
                fields = {_text(k): v for k, v in fields.items()}
                events.append(codec.decode_event(fields["e"], _text(sid)))
        return events

    def timeline(self, req: Request, now: datetime) -> builtins.list[Checkpoint]:
        """The policy's checkpoints for this request's facts, judged at ``now``."""
        return self._timeline(self.policy(req.policy), req, utc(now))

    @staticmethod
    def _timeline(policy: Policy, req: Request, now: datetime) -> builtins.list[Checkpoint]:
        """The policy's timeline, with what an earlier contract decided kept (requests.contracts)."""
        return judged(req, policy.timeline(**req.timeline_facts(), now=now))

    # ------------------------------------------------------------------ writing

    def _replayed(self, idempotency_key: str | None) -> tuple[str, Request | None]:
        """The idempotency key's Redis key, and the request a former delivery with it left."""
        if not idempotency_key:
            return "", None
        ikey = self.keys.idempotent_write(idempotency_key)
        prev = self.redis.get(ikey)
        return ikey, (codec.decode_request(prev)[0] if prev is not None else None)

    def open(
        self,
        account_id: str,
        *,
        title: str,
        description: str = "",
        priority: str,
        submitted_by: str,
        now: datetime,
        source: str = "command",
        fields: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Request:
        """A new request ``ACME-n`` (the account's next number) with its ``submitted`` event.
        A repeated ``idempotency_key`` returns the request the first call opened: the write
        script finds the key and writes nothing (one round trip, as for a new request)."""
        ikey = self.keys.idempotent_write(idempotency_key) if idempotency_key else ""
        account = self.config.account(account_id)
        if account is None:
            known = ", ".join(a.id for a in self.config.accounts) or "none"
            raise DomainError(f"{account_id!r} is not an account (known: {known})")
        policy = self.policy(account.policy)
        flds = dict(fields or {})
        calendar = str(flds.pop("calendar", None) or account.calendar)
        if calendar not in policy.calendars:
            raise DomainError(
                f"{calendar!r} is not a calendar of {policy.name} ({', '.join(sorted(policy.calendars))})"
            )
        language = str(flds.get("language") or account.language)
        if language not in policy.languages:
            raise DomainError(f"{policy.name} answers in {' or '.join(policy.languages)}, not {language!r}")
        placeholder = "\1"
        flds["contract"] = {"version": policy.version}  # the terms it is judged under (requests.contracts)
        req, event = submit(
            placeholder, account=account.id, policy=account.policy, calendar=calendar,
            language=language, priority=priority, title=title, submitted_by=submitted_by,
            at=now, description=description, fields=flds, channel=account.channel,
            source=source, rules=self.rules(account.policy),
        )
        event = replace(event, data={**event.data, "contract": policy.version})
        future, conditional = plan(self.policies.get, req, event.at)
        ops: list[list[str]] = []
        self._index_ops(ops, None, req, placeholder)
        alarms = self.alarms.replace_ops(ops, placeholder, (), future, conditional)
        res = self._run(
            "open", f"{account.prefix}-", 0, codec.body_text(req, alarms, []), event,
            account.id, ikey, self.keys.request(placeholder), ops, conditional,
            self.keys.alarms_done(placeholder),
        )
        if res[0] == "dup":
            return codec.decode_request(res[1])[0]
        created = replace(req, id=res[1])
        self._remember(codec.Stored(created, alarms, [res[2]], 1))
        return created

    def apply(
        self,
        request_id: str,
        event: Event,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        also: Sequence[Sequence[str]] = (),
    ) -> Request:
        """Apply ``event`` atomically; DomainError if it is not allowed, ConflictError on a stale version.
        ``also``: more writes made once with the event in its atomic step (``Outbox.add_ops``)."""
        ikey, prev = self._replayed(idempotency_key)
        if prev is not None:
            return prev
        request_id = make_id(*parse_id(request_id))
        cached = self._cached(request_id)
        if cached is not None and expected_version is not None and cached.request.version != expected_version:
            cached = None  # the caller saw another version: ask Redis
        for _attempt in range(MAX_RETRIES):
            from_cache = cached is not None
            old, old_alarms, entries, writes = cached if cached is not None else self._load(request_id)
            cached = None
            if expected_version is not None and old.version != expected_version:
                raise ConflictError(
                    f"{old.id} changed since you saw it (version {old.version}, not {expected_version})",
                    current=old,
                )
            try:
                new = apply(old, event, self.rules(old.policy))
            except DomainError:
                if from_cache:
                    continue  # refuse only on the state Redis holds, not on a remembered one
                raise
            ops: list[list[str]] = []
            self._index_ops(ops, old, new, old.id)
            conditional: dict[str, str] = {}
            if (new.is_open and old.is_open and new.timeline_facts() == old.timeline_facts()
                    and event.type != "contract_changed"):  # new terms: a new plan
                # Same facts, same timeline: the alarms stand (the workers' done set still applies).
                alarms = old_alarms
            else:
                alarms, conditional = self._alarm_ops(ops, old.id, old_alarms, new, event.at)
            if new.status.value == "closed":
                ops.append(["DEL", self.keys.alarms_done(old.id)])
                if old.status.value != "closed":  # retention finds it here when its time comes
                    ops.append(["ZADD", self.keys.closed_by_account(old.account), score(new.closed_at or event.at), old.id])
            ops.extend(list(op) for op in also)
            res = self._run(
                "apply", old.id, writes, codec.body_text(new, alarms, entries),
                recorded(old, event, new), old.account, ikey, self.keys.request(old.id), ops,
                conditional, self.keys.alarms_done(old.id),
            )
            if res[0] == "ok":
                self._remember(codec.Stored(new, alarms, [*entries, res[2]], writes + 1))
                return new
            if res[0] == "dup":
                return codec.decode_request(res[1])[0]
            if res[0] == "missing":
                self._forget(old.id)
                raise NotFound(f"there is no request {old.id}")
            fresh = codec.decode_request(res[1])
            self._remember(fresh)
            current = fresh.request
            if expected_version is not None and current.version != expected_version:
                raise ConflictError(
                    f"{old.id} changed since you saw it (version {current.version}, not {expected_version})",
                    current=current,
                )
            cached = fresh  # lost a race: recompute on the fresh state
        raise ConflictError(f"{request_id} is changing too fast; try again")

    def advance(self, request_id: str, now: datetime) -> bool:
        """The request's alarms as at ``now``, without an event (a cadence's next cycle once one
        has passed); True if they changed. Idempotent: called before the passed cycle's alarm is cleared."""
        now = utc(now)
        for _attempt in range(MAX_RETRIES):
            req, old_alarms, entries, writes = self._load(request_id)
            if not req.is_open:
                return False
            ops: list[list[str]] = []
            alarms, conditional = self._alarm_ops(ops, req.id, old_alarms, req, now)
            if set(alarms) == set(old_alarms):
                return False
            res = self._run(
                "patch", req.id, writes, codec.body_text(req, alarms, entries), None, req.account, "",
                self.keys.request(req.id), ops, conditional, self.keys.alarms_done(req.id),
            )
            if res[0] == "ok":
                self._remember(codec.Stored(req, alarms, entries, writes + 1))
                return True
            if res[0] == "missing":
                raise NotFound(f"there is no request {req.id}")
        raise ConflictError(f"{request_id} is changing too fast; try again")

    def set_card(self, request_id: str, channel: str, ts: str) -> Request:
        """Remember where the request's card (and so its thread) is. Not an event: no new version."""
        return self._place(request_id, self.keys.cards, channel, ts, lambda r: (
            (r.card_channel or r.channel, r.card_ts),
            {"card_channel": channel if channel != r.channel else None, "card_ts": ts}))

    def set_triage_card(self, request_id: str, channel: str, ts: str) -> Request:
        """Remember where the request's agents' card is (its thread holds internal notes).
        Not an event: no new version."""
        return self._place(request_id, self.keys.triage_cards, channel, ts, lambda r: (
            (r.triage_channel, r.triage_ts), {"triage_channel": channel, "triage_ts": ts}))

    def _place(self, request_id: str, index: str, channel: str, ts: str,
               where: Callable[[Request], tuple[tuple[str | None, str | None], dict[str, Any]]]) -> Request:
        for _attempt in range(MAX_RETRIES):
            old, alarms, entries, writes = self._load(request_id)
            known, change = where(old)
            if known == (channel, ts):
                return old  # already known (a repeated hook, a repair)
            new = replace(old, **change)
            ops = [["HSET", index, f"{channel}:{ts}", old.id]]
            res = self._run(
                "patch", old.id, writes, codec.body_text(new, alarms, entries), None, old.account, "",
                self.keys.request(old.id), ops, {}, self.keys.alarms_done(old.id),
            )
            if res[0] == "ok":
                self._remember(codec.Stored(new, alarms, entries, writes + 1))
                return new
            if res[0] == "missing":
                raise NotFound(f"there is no request {old.id}")
        raise ConflictError(f"{request_id} is changing too fast; try again")

    def find_by_triage_card(self, channel: str, ts: str) -> str | None:
        """The id of the request whose agents' card is the message ``ts`` in ``channel``, or None."""
        rid = self.redis.hget(self.keys.triage_cards, f"{channel}:{ts}")
        return _text(rid) if rid is not None else None

    def ensure_groups(self, group: str) -> None:
        """Create consumer group ``group`` on every account's history stream (the workers'
        publisher; slackops.workers.publisher). Idempotent. A stream without the group yet has its
        events read from the first one: none of them was published."""
        for account in self.config.accounts:
            try:
                self.redis.xgroup_create(self.keys.history(account.id), group, id="0", mkstream=True)
            except redis_py.exceptions.ResponseError as e:
                if "BUSYGROUP" not in str(e):
                    raise

    def find_by_card(self, channel: str, ts: str) -> Request | None:
        """The open request whose card is the message ``ts`` in ``channel`` (the root of the
        thread a reply was posted in), or None."""
        rid = self.redis.hget(self.keys.cards, f"{channel}:{ts}")
        if rid is None:
            return None
        try:
            req = self.get(_text(rid))
        except NotFound:
            return None
        return req if req.is_open else None

    def _run(
        self, mode: str, rid: str, version: int, body: str, event: Event | None, account: str,
        ikey: str, rkey: str, ops: builtins.list[builtins.list[str]], conditional: Mapping[str, str], done_key: str,
    ) -> builtins.list[str]:
        args: list[Any] = [
            mode, rid, version, body, codec.encode_event(event) if event else "",
            self.keys.history(account), ikey, IDEMPOTENCY_TTL, self.keys.counter(account), rkey,
            done_key, self.keys.deadlines,
            "\n".join(f"{suffix}\t{score}" for suffix, score in conditional.items()),
            "\n".join("\t".join(op) for op in ops),
        ]
        if self.wait_replicas:  # behind Sentinel: saved once a replica has it too

            return [_text(x) for x in eval_and_wait(self.redis, self._write, args, self.wait_replicas)]
        try:
            res = self.redis.execute_command("EVALSHA", self._write.sha, 0, *args)  # type: ignore[attr-defined]
        except redis_py.exceptions.NoScriptError:  # a restarted or flushed server: load it again
            res = self._write(keys=[], args=args)
        return [_text(x) for x in res]

    def _index_ops(self, ops: builtins.list[builtins.list[str]], old: Request | None, new: Request, rid: str) -> None:
        def keys(r: Request | None) -> set[str]:
            if r is None or not r.is_open:
                return set()
            ks = {self.keys.open_by_account(r.account), self.keys.open_by_priority(r.priority)}
            if r.assignee:
                ks.add(self.keys.open_by_assignee(r.assignee))
            return ks

        before, after = keys(old), keys(new)
        for k in sorted(before - after):
            ops.append(["SREM", k, rid])
        for k in sorted(after - before):
            ops.append(["SADD", k, rid])

    def _alarm_ops(
        self, ops: builtins.list[builtins.list[str]], rid: str, old_alarms: Iterable[str], req: Request, at: datetime,
    ) -> tuple[builtins.list[str], dict[str, str]]:
        """Replace the request's alarms with those at ``at``: (all of them, the conditional ones)."""
        future, conditional = plan(self.policies.get, req, at)
        return self.alarms.replace_ops(ops, rid, old_alarms, future, conditional), conditional

    # ------------------------------------------------------------------ deadlines

    def due(self, now: datetime, limit: int = 1000) -> builtins.list[Alarm]:
        """Alarms whose instant is ``now`` or earlier, oldest first (``self.alarms.due``)."""
        return self.alarms.due(now, limit)

    def alarm_done(self, alarm: Alarm) -> bool:
        """Take ``alarm`` out of the deadline index for good; False if it moved or went
        meanwhile (``self.alarms.done``)."""
        return self.alarms.done(alarm)

    def due_soon(
        self, now: datetime, account: str | None = None, assignee: str | None = None, limit: int = 20
    ) -> builtins.list[tuple[Request, Checkpoint]]:
        """Open requests with their next unmet checkpoint (breached ones included), soonest first."""
        now = utc(now)
        out: builtins.list[tuple[Request, Checkpoint]] = []
        if account is None and assignee is None:
            # Everyone's: the deadline index already orders the requests by their next alarm.
            ids: list[str] = []
            for member in self.redis.zrange(self.keys.deadlines, 0, limit * 8 - 1):
                rid = _text(member).split("|", 1)[0]
                if rid not in ids:
                    ids.append(rid)
            candidates = [r for r in self._mget(ids) if r.is_open]
        else:
            candidates = self.list(account=account, open_only=True, assignee=assignee)
        for req in candidates:
            upcoming = [
                cp for cp in self.timeline(req, now)
                if cp.state == "pending" or (cp.state == "breached" and cp.met_at is None)
            ]
            if upcoming:
                out.append((req, min(upcoming, key=lambda cp: cp.due_at)))
        out.sort(key=lambda pair: pair[1].due_at)
        return out[:limit]

    # ------------------------------------------------------------------ inbound deliveries

    def first_delivery(self, key: str, ttl_seconds: int = 86400) -> bool:
        """True the first time ``key`` (a Slack event_id, a view id) is seen within
        ``ttl_seconds``: ``self.deliveries.first``."""
        return self.deliveries.first(key, ttl_seconds)

