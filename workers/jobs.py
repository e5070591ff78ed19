"""Thin RQ jobs: plain data in, the context's collaborators do the work."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from slackops.notices.notice import Notice, job_safe

from . import alarms, keys
from .context import current
from .hooks import alarm_hooks

__all__ = ["process_alarms"]

log = logging.getLogger("slackops.workers.jobs")

SLEEP_BELOW = 1.5
"""An alarm due sooner than this (seconds) is waited for in the job rather than re-scheduled:
rq keeps schedule times in whole seconds and may run a job up to a second early."""


def process_alarms(batch: list[dict[str, Any]], now: datetime | None = None) -> dict[str, int]:
    """Handle due alarms (``AlarmRef`` dicts). Never acts before an alarm's instant."""
    ctx = current()
    counts: dict[str, int] = {}
    later: list[dict[str, Any]] = []
    owed: list[tuple[list[Notice], alarms.AlarmRef]] = []
    handled: list[str] = []
    for raw in batch:
        alarm = alarms.AlarmRef(**raw)
        t = now or datetime.now(UTC)
        wait = alarm.at - t.timestamp()
        if wait > 0:
            if wait > SLEEP_BELOW:
                later.append(raw)
                continue
            time.sleep(wait)
            t = datetime.now(UTC)
        outcome = alarms.handle(ctx, alarm, t if now is None else max(t, alarm.at_dt), owed)
        counts[outcome] = counts.get(outcome, 0) + 1
        handled.append(handoff_key(ctx.prefix, alarm.member))
    # queue every notice of the batch in one round trip, then clear their alarms: a worker
    # that dies in between leaves the alarms due, and queuing again is a no-op
    ctx.outbox.add_many([n for notices, _a in owed for n in notices])
    if owed:
        ctx.crash("job:queued", owed[0][1].kind)
    from slackops.operations.probes import count_alarms  # warnings and breaches by kind

    count_alarms((a.kind, a.alarm) for notices, a in owed if notices)
    if ctx.publisher is not None:  # their cards now say "due in 10 min" or "overdue": show it
        ctx.publisher.mark_stale({a.request_id for notices, a in owed if notices})
    alarm_hooks(ctx, owed)  # sla.warning / sla.breached, queued before the alarms are cleared
    for _notices, alarm in owed:
        ctx.store.alarm_done(alarm.store_alarm())
    if handled:
        ctx.crash("job:done", "")
        ctx.redis.delete(*handled)
    if later:
        first = min(r["at"] for r in later)
        when = datetime.fromtimestamp(first, UTC) + timedelta(seconds=1)  # aware UTC, never naive
        ctx.queue.enqueue_at(when, process_alarms, later, job_id=f"{ctx.prefix}-defer-{job_safe(repr(later))}")
        counts["deferred"] = len(later)
    return counts


def handoff_key(prefix: str, member: str) -> str:
    """Set by the sweep while an alarm is in a job's hands (expires if the worker dies)."""
    return keys.handed(prefix, member)
