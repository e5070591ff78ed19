"""The report gathered from the store (the I/O around :mod:`.report`), its period, and its chart."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slackops.errors import DomainError
from slackops.operations.csat import panel, summarize
from slackops.operations.report import aggregate, facts
from slackops.operations.status import impact_of
from slackops.operations.uptime import month_bounds, monthly

__all__ = ["Period", "build", "chart_png"]


class Period:
    """A month (``2026-11``) or a range of dates (both included), read in each account's zone."""

    def __init__(self, month: str | None = None, start: str | None = None, end: str | None = None) -> None:
        if month and (start or end):
            raise DomainError("give --month or --from/--to, not both")
        if bool(start) != bool(end):
            raise DomainError("give both --from and --to (YYYY-MM-DD)")
        self.month, self.first, self.last = month, None, None
        if start and end:
            try:
                self.first, self.last = date.fromisoformat(start), date.fromisoformat(end)
            except ValueError:
                raise DomainError(f"{start!r} .. {end!r}: dates are YYYY-MM-DD") from None
            if self.last < self.first:
                raise DomainError("--to is before --from")
        elif month:
            try:
                month_bounds(month, "UTC")
            except ValueError as e:
                raise DomainError(str(e)) from None

    def label(self, now: datetime) -> str:
        if self.first is not None and self.last is not None:
            return f"{self.first.isoformat()} to {self.last.isoformat()}"
        return self.month or f"{now:%Y-%m} so far"

    def bounds(self, tz: str, now: datetime) -> tuple[datetime, datetime]:
        if self.first is not None and self.last is not None:
            zone = ZoneInfo(tz)
            return (datetime.combine(self.first, datetime.min.time(), zone),
                    datetime.combine(self.last + timedelta(days=1), datetime.min.time(), zone))
        month = self.month or f"{now.astimezone(ZoneInfo(tz)):%Y-%m}"
        return month_bounds(month, tz)

    def months(self, tz: str, now: datetime) -> list[str]:
        start, end = self.bounds(tz, now)
        local, out = start.astimezone(ZoneInfo(tz)), []
        while local < end:
            out.append(f"{local:%Y-%m}")
            local = (local.replace(day=28) + timedelta(days=4)).replace(day=1)
        return out


def build(store: Any, book: Any, config: Any, period: Period, now: datetime, account: str | None = None) -> dict[str, Any]:
    """The report for one account or all, each over the period in its policy's zone."""
    accounts = config.accounts
    if account is not None:
        acct = config.account(account)
        if acct is None:
            raise DomainError(f"{account!r} is not an account (known: {', '.join(a.id for a in accounts)})")
        accounts = [acct]
    parts = []
    rated: list[tuple[str, str, str | None, int]] = []
    targets: dict[str, float] = {}
    for acct in accounts:
        policy = store.policy(acct.policy)
        start, end = period.bounds(policy.timezone, now)
        reqs = store.list(account=acct.id, open_only=False)
        items = [facts(r, policy, store.timeline(r, now), store.history(r.id) if r.escalation_level else None)
                 for r in reqs if start <= r.submitted_at < end]
        maint = book.list(acct.id)
        rows = [(r, impact_of(r, policy)) for r in reqs]
        uptime = [monthly(acct, policy, rows, maint, m, now).to_json() for m in period.months(policy.timezone, now)]
        ranks = {(acct.id, p.id): p.rank for p in policy.priorities}
        for p in policy.priorities:
            t = p.targets.get("first_response")
            if t is not None:
                cal = policy.calendars.get(t.calendar or acct.calendar) or policy.calendars["default"]
                targets[f"{acct.id} {p.id}"] = t.duration.as_timedelta(cal.working_day).total_seconds() / 3600
        parts.append(aggregate(items, start=start, end=end, now=now, uptime=uptime, ranks=ranks))
        rated += [(f.account, f.priority, f.assignee, int(f.rating)) for f in items if f.rating]
    return {"period": period.label(now), **_merge(parts, now, targets), "csat": summarize(rated)}


def _merge(parts: list[dict[str, Any]], now: datetime, targets: dict[str, float]) -> dict[str, Any]:
    weekly: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in parts:
        for w in p["weekly_attainment"]:
            acc = weekly[(w["priority"], w["week"])]
            acc[0] += w["met"]
            acc[1] += w["decided"]
    return {
        "from": min((p["from"] for p in parts), default=now.isoformat(timespec="minutes")),
        "to": max((p["to"] for p in parts), default=now.isoformat(timespec="minutes")),
        "generated_at": now.isoformat(timespec="minutes"),
        "requests": sum(p["requests"] for p in parts),
        "rows": [r for p in parts for r in p["rows"]],
        "breaches": [b for p in parts for b in p["breaches"]],
        "feature_requests": [f for p in parts for f in p["feature_requests"]],
        "weekly_attainment": [{"priority": pr, "week": wk, "met": m, "decided": d, "attainment_percent": round(100 * m / d, 2)}
                              for (pr, wk), (m, d) in sorted(weekly.items())],
        "uptime": [u for p in parts for u in p["uptime"]],
        "escalations": [e for p in parts for e in p.get("escalations", [])],
        "first_response_targets_hours": targets,
    }


def chart_png(report: dict[str, Any]) -> bytes:
    """Attainment per priority per week, and time to first response against its target (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    csat = report.get("csat") or {}
    with_csat = bool(csat.get("account"))  # a panel of its own once the period has ratings
    escalations = report.get("escalations") or []
    rows = 2 + with_csat + bool(escalations)
    ratios = [3, 3] + ([3] if with_csat else []) + ([2] if escalations else [])
    fig = Figure(figsize=(10, 8 + 3 * with_csat), dpi=100)
    axes = fig.subplots(rows, 1, gridspec_kw={"height_ratios": ratios})
    ax1, ax2 = axes[0], axes[1]
    if with_csat:
        panel(axes[2], csat)
    if escalations:  # time to acknowledge, as a table under the charts
        _escalation_table(axes[-1], escalations)
    by_priority: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for w in report["weekly_attainment"]:
        by_priority[w["priority"]].append((w["week"], w["attainment_percent"]))
    weeks = sorted({w["week"] for w in report["weekly_attainment"]})
    for prio, points in sorted(by_priority.items()):
        ax1.plot([weeks.index(w) for w, _ in points], [a for _, a in points], marker="o", label=prio)
    ax1.set_xticks(range(len(weeks)), [f"week of {w}" for w in weeks], fontsize=8)
    ax1.set_ylim(0, 105)
    ax1.set_ylabel("attainment (%)")
    ax1.set_title("Targets met per priority per week")
    if by_priority:
        ax1.legend(loc="lower left", fontsize=8)
    fr = [r for r in report["rows"] if r["kind"] == "first_response" and r["median_business_hours"] is not None]
    labels = [f"{r['account']} {r['priority']}" for r in fr]
    xs = range(len(fr))
    ax2.bar([x - 0.2 for x in xs], [r["median_business_hours"] for r in fr], width=0.4, label="median")
    ax2.bar([x + 0.2 for x in xs], [r["p90_business_hours"] for r in fr], width=0.4, label="90th percentile")
    targets = report.get("first_response_targets_hours", {})
    for x, label in zip(xs, labels, strict=True):
        if label in targets:
            ax2.hlines(targets[label], x - 0.45, x + 0.45, colors="crimson", linestyles="dashed",
                       label="target" if x == 0 else None)
    ax2.set_xticks(list(xs), labels, fontsize=8)
    ax2.set_ylabel("business hours")
    ax2.set_title("Time to first response against the target")
    if fr:
        ax2.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _escalation_table(ax: Any, rows: list[dict[str, Any]]) -> None:
    """Per account, priority and level: acknowledged, median and p90 minutes, repeats sent."""
    def m(x: Any) -> str:
        return "-" if x is None else f"{x:g}"

    ax.axis("off")
    ax.set_title("Time to acknowledge escalations (minutes from the first DM)")
    cells = [[f"{r['account']} {r['priority']}", str(r["level"]), f"{r['acknowledged']}/{r['escalated']}",
              m(r["median_ack_minutes"]), m(r["p90_ack_minutes"]), str(r["repeats_sent"])] for r in rows[:8]]
    table = ax.table(cellText=cells, colLabels=["account", "level", "acknowledged", "median", "p90", "repeats sent"],
                     loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
