"""Intents left by workers of an earlier version, finished or dropped when a worker starts.

Those workers saved the notices of a change to a request (``{prefix}:w:acted:<alarm>``)
before applying the change, and queued them after: one killed in between left the intent,
and when applying the change had also dropped the alarm (``critical_notice_sent`` meets its
checkpoint) nobody read it again. Today's workers write the change and its notices in one
step and leave no intent. Each one found is judged by the history: the change was applied
(its idempotency key ``w:<alarm>`` is there), so its notices are owed and queued (ids are
deterministic: queuing twice is a no-op); or it was not, so nothing was recorded as sent,
the intent is dropped, and the alarm, if its reason still holds, is handled anew.
"""

from __future__ import annotations

import json
import logging

from slackops.notices.notice import Notice

from . import keys
from .context import WorkerContext

__all__ = ["redrive"]

log = logging.getLogger("slackops.workers.intents")


def redrive(ctx: WorkerContext) -> dict[str, int]:
    """Finish or drop every intent under the context's prefix; returns how many of each."""
    head, pattern = keys.acted_pattern(ctx.prefix)
    counts = {"queued": 0, "dropped": 0}
    for key in ctx.redis.scan_iter(match=pattern, count=1000):
        raw = ctx.redis.get(key)
        if raw is None:
            continue
        member = key.decode()[len(head):]
        try:
            notices = [Notice(**n) for n in json.loads(raw).get("notices", [])]
        except (ValueError, TypeError) as e:
            log.error("intent %s is unreadable (%s); dropped", member, e)
            notices = None
        applied = ctx.redis.exists(ctx.store.keys.idempotent_write(f"w:{member}"))
        if notices is not None and applied:
            ctx.outbox.add_many(notices)
            counts["queued"] += 1
            log.warning("intent %s: the change is in the history; its %d notices queued", member, len(notices))
        else:
            counts["dropped"] += 1
            log.warning("intent %s: the change was never recorded; dropped (the alarm is judged anew)", member)
        ctx.redis.delete(key)
    return counts
