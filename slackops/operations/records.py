"""Maintenance in Redis: the records, and the instants at which their notices are owed.

Keys (under the store's prefix): :mod:`slackops.operations.keys` (the records, their
ids' counter, and the operations' deadline index that a worker's operations clock,
:mod:`.clock`, turns into outbox notices).

A change writes the record, removes the old version's members and adds the new ones in one
MULTI/EXEC (WATCH on the record): a notice of an older version can never be owed again,
and the clock re-checks the version anyway.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

import redis as redis_py

from slackops.errors import DomainError
from slackops.operations import keys
from slackops.operations.maintenance import (
    DEFAULT_REMINDERS,
    Maintenance,
    Stage,
    check_times,
    refusal,
    stages,
)
from slackops.requests.model import utc

__all__ = ["MaintenanceBook"]


class MaintenanceBook:
    """The maintenance records of one deployment (``prefix``), checked against each account's policy."""

    def __init__(self, redis: redis_py.Redis, config: Any, policy: Any, prefix: str = "slackops") -> None:
        """``policy(name)`` loads a policy by name (the store's loader, with the operator's closures)."""
        self.redis = redis
        self.config = config
        self.policy = policy
        self.prefix = prefix

    # -- keys
    def _key(self, mid: str) -> str:
        return keys.maintenance(self.prefix, mid)

    @property
    def _all(self) -> str:
        return keys.maintenance_all(self.prefix)

    @property
    def due_key(self) -> str:
        return keys.maintenance_due(self.prefix)

    # -- reading
    def get(self, mid: str) -> Maintenance:
        raw = self.redis.get(self._key(mid.upper()))
        if raw is None:
            raise DomainError(f"there is no maintenance {mid}")
        return Maintenance.from_json(raw)

    def list(self, account: str | None = None, *, since: datetime | None = None,
             include_cancelled: bool = True) -> builtins.list[Maintenance]:
        """Maintenance by start, oldest first; ``since``: those ending after it."""
        ids = [i.decode() for i in self.redis.zrange(self._all, 0, -1)]
        out: builtins.list[Maintenance] = []
        for raw in (self.redis.mget([self._key(i) for i in ids]) if ids else []):
            if raw is None:
                continue
            m = Maintenance.from_json(raw)
            if account is not None and not m.affects(account):
                continue
            if since is not None and m.end <= since:
                continue
            if not include_cancelled and m.status == "cancelled":
                continue
            out.append(m)
        return out

    # -- policy
    def accounts_of(self, m: Maintenance) -> builtins.list[Any]:
        if m.accounts is None:
            return list(self.config.accounts)
        return [a for a in self.config.accounts if a.id in m.accounts]

    def _policy_of(self, account: Any) -> Any:
        return self.policy(account.policy)

    def reminders(self, account: Any) -> tuple[Any, ...]:
        m = self._policy_of(account).maintenance
        return m.reminders if m is not None and m.reminders else DEFAULT_REMINDERS

    def _check(self, m: Maintenance, now: datetime) -> None:
        check_times(m.start, m.end, m.impact, now)
        problems: builtins.list[str] = []
        for account in self.accounts_of(m):
            why = refusal(self._policy_of(account), m.start, m.end, m.emergency, now, tz=account.timezone)
            if why:
                problems.append(f"{account.name}: {why}")
        if problems:
            raise DomainError("\n".join(problems))

    def _stages(self, m: Maintenance, now: datetime) -> builtins.list[Stage]:
        return [s for a in self.accounts_of(m) for s in stages(m, a.id, self.reminders(a), now)]

    def _accounts(self, accounts: Iterable[str] | None) -> tuple[str, ...] | None:
        if accounts is None:
            return None
        known = {a.id for a in self.config.accounts}
        wanted = tuple(dict.fromkeys(a.strip().lower() for a in accounts if a.strip()))
        unknown = [a for a in wanted if a not in known]
        if unknown:
            raise DomainError(f"{', '.join(unknown)}: not an account (known: {', '.join(sorted(known)) or 'none'})")
        if not wanted:
            raise DomainError("name at least one account, or none for all of them")
        return wanted

    # -- writing
    def add(self, *, start: datetime, end: datetime, now: datetime, impact: str = "unavailable",
            accounts: Iterable[str] | None = None, emergency: bool = False, note: str = "",
            by: str = "cli") -> Maintenance:
        """Record a maintenance the policies allow, and owe its notices; DomainError otherwise."""
        now = utc(now)
        m = Maintenance(id="", start=utc(start), end=utc(end), impact=impact, accounts=self._accounts(accounts),
                        emergency=emergency, note=note.strip(), created_by=by, created_at=now, changed_at=now)
        self._check(m, now)
        m = replace(m, id=f"MNT-{self.redis.incr(keys.maintenance_seq(self.prefix))}")
        self._write(None, m, now)
        return m

    def change(self, mid: str, *, now: datetime, by: str = "cli", **changes: Any) -> Maintenance:
        """Move or edit a scheduled maintenance: the old version's notices are no longer owed."""
        now = utc(now)
        clean = {k: v for k, v in changes.items() if v is not None}
        if "accounts" in clean:
            clean["accounts"] = self._accounts(clean["accounts"])
        for k in ("start", "end"):
            if k in clean:
                clean[k] = utc(clean[k])
        if not clean:
            raise DomainError("nothing to change")
        return self._update(mid, now, lambda old: self._changed(old, now, by, clean))

    def _changed(self, old: Maintenance, now: datetime, by: str, clean: dict[str, Any]) -> Maintenance:
        if old.status == "cancelled":
            raise DomainError(f"{old.id} is cancelled")
        if old.end <= now:
            raise DomainError(f"{old.id} is already over")
        new = old.changed(now, by, **clean)
        self._check(new, now)
        return new

    def cancel(self, mid: str, *, now: datetime, by: str = "cli", reason: str = "") -> Maintenance:
        now = utc(now)

        def do(old: Maintenance) -> Maintenance:
            if old.status == "cancelled":
                raise DomainError(f"{old.id} is already cancelled")
            if old.end <= now:
                raise DomainError(f"{old.id} is already over")
            return old.changed(now, by, reason, status="cancelled")

        return self._update(mid, now, do)

    def _update(self, mid: str, now: datetime, fn: Any) -> Maintenance:
        key = self._key(mid.upper())
        for _ in range(20):
            with self.redis.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        raise DomainError(f"there is no maintenance {mid}")
                    old = Maintenance.from_json(raw)  # type: ignore[arg-type]  # a watched pipeline answers at once
                    new = fn(old)
                    pipe.multi()
                    self._ops(pipe, old, new, now)
                    pipe.execute()
                    return new
                except redis_py.WatchError:
                    continue
        raise DomainError(f"{mid} is changing too fast; try again")

    def _write(self, old: Maintenance | None, new: Maintenance, now: datetime) -> None:
        with self.redis.pipeline() as pipe:
            self._ops(pipe, old, new, now)
            pipe.execute()

    def _ops(self, pipe: Any, old: Maintenance | None, new: Maintenance, now: datetime) -> None:
        pipe.set(self._key(new.id), new.to_json())
        pipe.zadd(self._all, {new.id: new.start.timestamp()})
        if old is not None:
            gone = [s.member(old) for s in self._stages(old, old.changed_at or now)]
            if gone:
                pipe.zrem(self.due_key, *gone)
        owed = {s.member(new): s.at.timestamp() for s in self._stages(new, now)}
        if owed:
            pipe.zadd(self.due_key, owed)

    def due(self, now: datetime, limit: int = 500) -> builtins.list[str]:
        return [m.decode() for m in self.redis.zrangebyscore(self.due_key, "-inf", utc(now).timestamp(),
                                                             start=0, num=limit)]

    def done(self, *members: str) -> None:
        if members:
            self.redis.zrem(self.due_key, *members)
