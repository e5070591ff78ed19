"""Thin RQ jobs: plain data in, the context's collaborators do the work."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from . import alarms
from .context import current
from .notice import job_safe

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
        outcome = alarms.handle(ctx, alarm, t if now is None else max(t, alarm.at_dt))
        counts[outcome] = counts.get(outcome, 0) + 1
        ctx.redis.delete(handoff_key(ctx.prefix, alarm.member))
    if later:
        first = min(r["at"] for r in later)
        when = datetime.fromtimestamp(first, UTC) + timedelta(seconds=1)  # aware UTC, never naive
        ctx.queue.enqueue_at(when, process_alarms, later, job_id=f"{ctx.prefix}-defer-{job_safe(repr(later))}")
        counts["deferred"] = len(later)
    return counts


def handoff_key(prefix: str, member: str) -> str:
    """Set by the sweep while an alarm is in a job's hands (expires if the worker dies)."""
    return f"{prefix}:w:handed:{member}"
