"""SLA reports (pure: data and ``now`` in, figures out; no I/O).

:func:`facts` reduces one request to what the report counts (its checkpoints judged at
``now``, its times to first response and to resolution in wall-clock time and in the
policy's business time); :func:`aggregate` turns many into the report, per account x
priority x target kind: met, breached, still open, attainment (met / decided), median and
90th percentile times (linear interpolation, as numpy and pandas compute quantiles), the
breaches with their ids and by how much, and the feature requests logged. Business time is
the open time of the target's calendar; for resolution the time waiting on the customer is
left out, as the policy measures it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slackops.operations.escalation_report import (
    ESCALATION_COLUMNS,
    LevelFacts,
    aggregate_levels,
    csv_rows,
    level_facts,
    text_lines,
)

from .csat import to_text_lines

__all__ = ["KINDS", "RequestFacts", "facts", "aggregate", "quantile", "to_csv", "to_text"]

KINDS = ("first_response", "update", "workaround", "resolution", "critical_notice")
"""The targets a report counts (escalation steps and auto-upgrades are not promises kept or broken)."""


@dataclass(frozen=True)
class RequestFacts:
    id: str
    account: str
    priority: str
    submitted_at: datetime
    is_open: bool
    feature_request: bool
    title: str
    checkpoints: tuple[tuple[str, str, str, datetime, datetime | None], ...]  # kind, key, state, due, met
    fr_wall: float | None = None  # hours
    fr_business: float | None = None
    res_wall: float | None = None
    res_business: float | None = None
    escalations: tuple[LevelFacts, ...] = ()  # the levels reached (escalation_report)
    assignee: str | None = None
    rating: int | None = None  # the customer's satisfaction rating (1-5), if rated


def _hours(td: timedelta) -> float:
    return td.total_seconds() / 3600


def _business(policy: Any, calendar: str, start: datetime, end: datetime,
              pauses: tuple[tuple[datetime, datetime | None], ...] = ()) -> float:
    cal = policy.calendars.get(calendar) or policy.calendars["default"]
    total = cal.elapsed(start, end)
    for ps, pe in pauses:
        s, e = max(ps, start), min(pe or end, end)
        if e > s:
            total -= cal.elapsed(s, e)
    return _hours(total)


def facts(req: Any, policy: Any, checkpoints: list[Any], history: list[Any] | None = None) -> RequestFacts:
    """One request as the report sees it; ``checkpoints`` from ``store.timeline(req, now)``;
    ``history`` (its events) where it was escalated."""
    cps = tuple((c.kind, c.key, c.state, c.due_at, c.met_at) for c in checkpoints if c.kind in KINDS)
    cal_of = {c.kind: (c.calendar or req.calendar) for c in checkpoints}
    fr_wall = fr_bus = res_wall = res_bus = None
    if req.first_response_at:
        fr_wall = _hours(req.first_response_at - req.submitted_at)
        fr_bus = _business(policy, cal_of.get("first_response", req.calendar), req.submitted_at, req.first_response_at)
    if req.resolved_at:
        res_wall = _hours(req.resolved_at - req.submitted_at)
        res_bus = _business(policy, cal_of.get("resolution", req.calendar), req.submitted_at, req.resolved_at,
                            tuple(req.waiting))
    return RequestFacts(id=req.id, account=req.account, priority=req.priority, submitted_at=req.submitted_at,
                        is_open=req.is_open, feature_request=req.resolution == "feature_request", title=req.title,
                        checkpoints=cps, fr_wall=fr_wall, fr_business=fr_bus, res_wall=res_wall, res_business=res_bus,
                        escalations=level_facts(req, checkpoints, history or []),
                        assignee=req.assignee, rating=((req.fields or {}).get("csat") or {}).get("rating"))


def quantile(xs: list[float], q: float) -> float | None:
    """The q-quantile with linear interpolation between closest ranks (numpy's default)."""
    if not xs:
        return None
    s = sorted(xs)
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _r(x: float | None, n: int = 3) -> float | None:
    return None if x is None else round(x, n)


def aggregate(items: list[RequestFacts], *, start: datetime, end: datetime, now: datetime,
              uptime: list[dict[str, Any]] | None = None, ranks: dict[tuple[str, str], int] | None = None) -> dict[str, Any]:
    """The report over the requests submitted in [start, end)."""
    chosen = [f for f in items if start <= f.submitted_at < end]
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    times: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    weekly: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    breaches = []
    for f in chosen:
        for kind, key, state, due, met in f.checkpoints:
            if state not in ("met", "breached", "pending"):
                continue  # void: no longer applies
            c = counts[(f.account, f.priority, kind)]
            if state == "met":
                c[0] += 1
            elif state == "breached":
                c[1] += 1
                late = (met or now) - due
                breaches.append({"request": f.id, "account": f.account, "priority": f.priority, "kind": kind,
                                 "key": key, "due_at": _minute(due), "done_at": _minute(met) if met else None,
                                 "late_by_minutes": round(late.total_seconds() / 60, 1)})
            elif state == "pending":
                c[2] += 1
            if state in ("met", "breached"):
                week = (due - timedelta(days=due.weekday())).date().isoformat()
                w = weekly[(f.priority, week)]
                w[0] += state == "met"
                w[1] += 1
        t = times[(f.account, f.priority)]
        for name in ("fr_wall", "fr_business", "res_wall", "res_business"):
            v = getattr(f, name)
            if v is not None:
                t[name].append(v)
    order = ranks or {}
    rows = []
    for (account, priority, kind), (n_met, n_breached, n_open) in sorted(
            counts.items(), key=lambda kv: (kv[0][0], order.get((kv[0][0], kv[0][1]), 99), kv[0][1], KINDS.index(kv[0][2]))):
        decided = n_met + n_breached
        row: dict[str, Any] = {"account": account, "priority": priority, "kind": kind, "met": n_met, "breached": n_breached,
                               "open": n_open, "attainment_percent": _r(100 * n_met / decided, 2) if decided else None}
        t = times.get((account, priority), {})
        prefix = {"first_response": "fr", "resolution": "res"}.get(kind)
        for clock in ("wall", "business"):
            xs = t.get(f"{prefix}_{clock}", []) if prefix else []
            row[f"median_{clock}_hours"] = _r(quantile(xs, 0.5)) if prefix else None
            row[f"p90_{clock}_hours"] = _r(quantile(xs, 0.9)) if prefix else None
        rows.append(row)
    breaches.sort(key=lambda b: (b["account"], b["due_at"], b["request"]))
    return {
        "from": _minute(start), "to": _minute(end), "generated_at": _minute(now),
        "requests": len(chosen), "rows": rows, "breaches": breaches,
        "feature_requests": [{"request": f.id, "account": f.account, "title": f.title} for f in chosen if f.feature_request],
        "weekly_attainment": [{"priority": p, "week": w, "met": m, "decided": d, "attainment_percent": _r(100 * m / d, 2)}
                              for (p, w), (m, d) in sorted(weekly.items())],
        "uptime": uptime or [],
        "escalations": aggregate_levels(chosen, quantile),
    }


CSV_COLUMNS = ("account", "priority", "kind", "met", "breached", "open", "attainment_percent", "median_wall_hours",
               "p90_wall_hours", "median_business_hours", "p90_business_hours", *ESCALATION_COLUMNS)


def to_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in [*report["rows"], *csv_rows(report)]:
        w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in CSV_COLUMNS})
    return out.getvalue()


def _f(x: Any, unit: str = "") -> str:
    return "-" if x is None else f"{x:g}{unit}"


def _minute(at: datetime) -> str:
    """ISO 8601 to the minute with its offset: ``2026-12-07T14:10+00:00``."""
    return at.isoformat(timespec="minutes")


def to_text(report: dict[str, Any], limit: int | None = None) -> str:
    period = report.get("period") or f"{report['from'][:10]} to {report['to'][:10]}"
    lines = [f"SLA report {period}: {report['requests']} requests"]
    for r in report["rows"]:
        times = ""
        if r["median_wall_hours"] is not None or r["median_business_hours"] is not None:
            times = (f"  median {_f(r['median_business_hours'], ' h')} business / {_f(r['median_wall_hours'], ' h')} wall,"
                     f" p90 {_f(r['p90_business_hours'], ' h')} / {_f(r['p90_wall_hours'], ' h')}")
        lines.append(f"{r['account']:<10} {r['priority']:<4} {r['kind']:<16} met {r['met']:>4}  breached {r['breached']:>4}  "
                     f"open {r['open']:>4}  attainment {_f(r['attainment_percent'], '%')}{times}")
    breaches = report["breaches"]
    lines.append(f"Breaches: {len(breaches)}")
    for b in breaches[:limit] if limit else breaches:
        key = f" ({b['key']})" if b["key"] != b["kind"] else ""
        lines.append(f"  {b['request']} {b['kind']}{key} due {b['due_at']}, late by {b['late_by_minutes']:g} min")
    if limit and len(breaches) > limit:
        lines.append(f"  … and {len(breaches) - limit} more")
    for u in report["uptime"]:
        credit = "-" if u["credit_percent"] is None else f"{u['credit_percent']:g}%" + (" (default table)" if u["credit_default"] else "")
        lines.append(f"Uptime {u['account']} {u['month']}: {u['uptime_percent']:g}% (target {_f(u['target_percent'], '%')}), "
                     f"downtime {u['downtime_minutes']:g} min, credit {credit}")
    lines += text_lines(report)
    if "csat" in report:
        lines += to_text_lines(report["csat"])
    frs = report["feature_requests"]
    lines.append(f"Feature requests logged: {len(frs)}" + (": " + ", ".join(f["request"] for f in frs) if frs else ""))
    return "\n".join(lines)
