"""What the workers call to count for the metrics, without importing prometheus-client at
start-up (a worker's first notices are due seconds after it starts): the metrics module is
loaded on first use, after the notices it counts are queued or posted."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["count_alarms", "observe_escalation_ack", "observe_lateness"]


def count_alarms(alarms: Iterable[tuple[str, str]]) -> None:
    from slackops.operations import metrics

    metrics.count_alarms(alarms)


def observe_lateness(due: list[float], posted_at: float) -> None:
    from slackops.operations import metrics

    metrics.observe_lateness(due, posted_at)


def observe_escalation_ack(account: str, priority: str, level: int, seconds: float) -> None:
    from slackops.operations import metrics

    metrics.observe_escalation_ack(account, priority, level, seconds)
