"""What a worker process works with: Redis, the configuration, the store, the outbox.

RQ jobs are module-level functions that receive only plain data; they find their
collaborators here. ``bind()`` is called once by the process that runs the worker
(``slackops worker``, ``slackops run``, a test), forked work horses inherit it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import redis as redis_py

from slackops.config import Config

from .delivery import Outbox

__all__ = ["WorkerContext", "bind", "current", "queue_name"]


def queue_name(prefix: str) -> str:
    """The RQ queue of alarm jobs under a prefix (letters, digits and ``-``)."""
    return f"{prefix}-alarms"


@dataclass
class WorkerContext:
    redis: redis_py.Redis
    config: Config
    store: Any  # slackops.requests.RequestStore
    outbox: Outbox
    prefix: str = "slackops"
    handoff_seconds: float = 120.0
    _policies: dict[str, Any] = field(default_factory=dict)

    def policy_for(self, account_id: str, fallback: str | None = None) -> Any:
        """The policy of an account (a preset name or a file path, as configured)."""
        from slackops.policy import load

        acct = self.config.account(account_id)
        ref = acct.policy if acct else fallback
        if ref is None:
            raise LookupError(f"account {account_id!r} is not in the configuration")
        if ref not in self._policies:
            self._policies[ref] = load(ref)
        return self._policies[ref]

    @functools.cached_property
    def queue(self) -> Any:
        from rq import Queue

        return Queue(queue_name(self.prefix), connection=self.redis)


_CURRENT: WorkerContext | None = None


def bind(ctx: WorkerContext) -> WorkerContext:
    global _CURRENT
    _CURRENT = ctx
    return ctx


def current() -> WorkerContext:
    if _CURRENT is None:
        raise RuntimeError("no worker context: start workers with `slackops worker` (or bind one in tests)")
    return _CURRENT
