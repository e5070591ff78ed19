"""The operations clock, run in every worker: due maintenance notices into the outbox, and
the managers' morning digest and monthly report (:mod:`.digests`).

Each tick reads the operations' deadline index (:class:`.records.MaintenanceBook`): a due
member names a maintenance, its version, an account and a stage. A member of an older
version, or of a maintenance cancelled since, is dropped with nothing sent (a changed or
cancelled maintenance sends no stale notice). Otherwise the notice goes to the outbox under
a deterministic id (``mnt|MNT-3|v2|acme|start|C0ACME``) and the member is removed after:
a worker that dies in between queues it again, and the outbox keeps one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis as redis_py

from slackops.notices.hook_events import maintenance_event
from slackops.notices.notice import Notice
from slackops.operations.digests import ManagerReports
from slackops.operations.maintenance import Maintenance, parse_member
from slackops.operations.records import MaintenanceBook
from slackops.operations.texts import account_tz, maintenance_text
from slackops.operations.tokens import StatusTokens

__all__ = ["OpsClock"]

log = logging.getLogger("slackops.operations.clock")


class OpsClock:
    def __init__(self, redis: redis_py.Redis, config: Any, store: Any, outbox: Any, prefix: str = "slackops", *,
                 tick: float = 1.0, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 extra: list[Callable[[datetime], int]] | None = None, stop: threading.Event | None = None,
                 webhooks: Any = None) -> None:
        self.redis = redis
        self.config = config
        self.store = store
        self.outbox = outbox
        self.prefix = prefix
        self.book = MaintenanceBook(redis, config, store.policy, prefix)
        self.tokens = StatusTokens(redis, config, prefix)
        self.tick_seconds = tick
        self.clock = clock
        if extra is None:  # further due work, each given ``now``: by default the managers' DMs

            extra = [ManagerReports(redis, config, store, outbox, prefix)]
        self.extra = list(extra)
        self.webhooks = webhooks  # slackops.notices.webhooks.Webhooks: maintenance events too, when configured
        self._stop = stop or threading.Event()  # the worker's own stop event, when it passes one

    def tick(self, now: datetime | None = None) -> int:
        """Queue every maintenance notice due at ``now``; returns how many were new."""
        now = now or self.clock()
        members = self.book.due(now)
        cache: dict[str, Maintenance | None] = {}
        owed: list[Notice] = []
        hooks: list[Any] = []
        for member in members:
            mid, version, account_id, stage = parse_member(member)
            if mid not in cache:
                try:
                    cache[mid] = self.book.get(mid)
                except Exception:  # noqa: BLE001 - a record gone: nothing is owed
                    cache[mid] = None
            m = cache[mid]
            account = self.config.account(account_id)
            if m is None or account is None or m.version != version or (m.status == "cancelled") != (stage == "cancelled"):
                continue  # stale: a later version owes its own notices
            policy = self.store.policy(account.policy)
            url = self.tokens.url(account.id) if m.impact != "none" else None
            text = maintenance_text(m, stage, account.language, account_tz(account, policy), url)
            owed.append(Notice(id=f"mnt|{member}|{account.channel}", dest=account.channel, text=text,
                               line=text.splitlines()[0], digestible=False, kind="maintenance",
                               due_at=now.timestamp()))
            if self.webhooks is not None:
                hook = maintenance_event(self.config, account.id, member, stage, {**m.public(), "version": m.version},
                                         now)
                if hook is not None:
                    hooks.append(hook)
        new = self.outbox.add_many(owed) if owed else 0
        if hooks:
            self.webhooks.add_many(hooks)
        self.book.done(*members)
        for fn in self.extra:
            new += fn(now)
        return new

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except redis_py.RedisError as e:
                log.warning("operations clock: Redis unavailable (%s); retrying", e)
            except Exception:
                log.exception("operations clock: unexpected error; retrying")
            self._stop.wait(self.tick_seconds)
