"""Time to acknowledge, a figure of the SLA report (pure: data in, figures out; no I/O).

Per account x priority x escalation level: how many escalations reached the level, how many
were acknowledged and how many not, the median and 90th percentile time from the level's
first DM to its acknowledgement (minutes, wall-clock), and the repeats sent (a step's
repeats whose instant passed before it was acknowledged, resolved or planned).

A level's first DM went out when the level was reached (the ``escalated`` event, by the
ladder or by hand). An acknowledgement of a level acknowledges the levels below it (as the
timeline counts it: their repeats stop too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["ESCALATION_COLUMNS", "LevelFacts", "aggregate_levels", "csv_rows", "level_facts", "text_lines"]

ESCALATION_COLUMNS = ("acknowledged", "not_acknowledged", "median_ack_minutes", "p90_ack_minutes", "repeats_sent")


@dataclass(frozen=True)
class LevelFacts:
    level: int
    first_dm_at: datetime
    acknowledged_at: datetime | None
    repeats_sent: int


def level_facts(req: Any, checkpoints: list[Any], history: list[Any]) -> tuple[LevelFacts, ...]:
    """The escalation levels one request reached, each with its acknowledgement and repeats."""
    first: dict[int, datetime] = {}
    for ev in history:
        if ev.type == "escalated":
            level = int(ev.data.get("level") or 0)
            if level and level not in first:
                first[level] = ev.at
    acks = tuple(getattr(req, "escalation_acks", ()))
    repeats: dict[int, int] = defaultdict(int)
    for cp in checkpoints:
        if cp.kind == "escalation" and ":repeat:" in cp.key and cp.state == "breached" and cp.level is not None:
            repeats[cp.level] += 1
    out = []
    for level, at in sorted(first.items()):
        acked = min((a for lvl, a, _who in acks if lvl >= level), default=None)
        out.append(LevelFacts(level, at, acked, repeats.get(level, 0)))
    return tuple(out)


def aggregate_levels(items: list[Any], quantile: Any) -> list[dict[str, Any]]:
    """The rows over the report's requests (``items``: its RequestFacts)."""
    groups: dict[tuple[str, str, int], list[LevelFacts]] = defaultdict(list)
    for f in items:
        for lf in getattr(f, "escalations", ()):
            groups[(f.account, f.priority, lf.level)].append(lf)
    rows = []
    for (account, priority, level), facts in sorted(groups.items()):
        waits = [(lf.acknowledged_at - lf.first_dm_at).total_seconds() / 60 for lf in facts
                 if lf.acknowledged_at is not None]
        median, p90 = quantile(waits, 0.5), quantile(waits, 0.9)
        rows.append({
            "account": account, "priority": priority, "level": level, "escalated": len(facts),
            "acknowledged": len(waits), "not_acknowledged": len(facts) - len(waits),
            "median_ack_minutes": None if median is None else round(max(median, 0.0), 1),
            "p90_ack_minutes": None if p90 is None else round(max(p90, 0.0), 1),
            "repeats_sent": sum(lf.repeats_sent for lf in facts),
        })
    return rows


def csv_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The escalation rows as rows of the report's CSV (kind ``escalation level N``)."""
    return [{"account": r["account"], "priority": r["priority"], "kind": f"escalation level {r['level']}",
             **{k: r[k] for k in ESCALATION_COLUMNS}} for r in report.get("escalations", ())]


def text_lines(report: dict[str, Any]) -> list[str]:
    rows = report.get("escalations") or []
    if not rows:
        return []

    def f(x: Any) -> str:
        return "-" if x is None else f"{x:g} min"

    lines = ["Escalations (time from the first DM to the acknowledgement):"]
    for r in rows:
        lines.append(f"{r['account']:<10} {r['priority']:<4} level {r['level']:<2} escalated {r['escalated']:>3}  "
                     f"acknowledged {r['acknowledged']:>3}  not {r['not_acknowledged']:>3}  "
                     f"median {f(r['median_ack_minutes'])}, p90 {f(r['p90_ack_minutes'])}  repeats {r['repeats_sent']}")
    return lines
