"""What a worker process works with: Redis, the configuration, the store, the outbox.

RQ jobs are module-level functions that receive only plain data; they find their
collaborators here. ``bind()`` is called once by the process that runs the worker
(``slackops worker``, ``slackops run``, a test), forked work horses inherit it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis as redis_py

from slackops.config import Config
from slackops.notices.outbox import Outbox

from .crash import nowhere

if TYPE_CHECKING:
    from rq import Queue

    from slackops.policy import Policy
    from slackops.requests import Request, RequestStore


__all__ = ["WorkerContext", "bind", "current", "queue_name"]


def queue_name(prefix: str) -> str:
    """The RQ queue of alarm jobs under a prefix (letters, digits and ``-``)."""
    return f"{prefix}-alarms"


@dataclass
class WorkerContext:
    redis: redis_py.Redis
    config: Config
    store: RequestStore
    outbox: Outbox
    prefix: str = "slackops"
    handoff_seconds: float = 120.0
    publisher: Any = None  # slackops.workers.publisher.Publisher: the app's changes -> Slack
    webhooks: Any = None  # slackops.notices.webhooks.Webhooks, when the configuration lists endpoints
    crash: Callable[[str, str], None] = nowhere  # told each crash point reached (slackops.workers.crash)

    def policy_for(self, req: Request) -> Policy:
        """The request's policy, as the store loads it (with the operator's closures)."""
        return self.store.policy(req.policy)

    @functools.cached_property
    def queue(self) -> Queue:
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
