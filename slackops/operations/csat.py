"""Customer satisfaction in the SLA report (pure): the ratings of the report's requests per
account, per priority and per assignee, each with how many, their average and the share
rated 4 or 5; and the chart's CSAT panel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

__all__ = ["GROUPS", "summarize", "to_text_lines"]

GROUPS = ("account", "priority", "assignee")


def _row(key: str, ratings: list[int]) -> dict[str, Any]:
    n = len(ratings)
    return {"key": key, "ratings": n, "average": round(sum(ratings) / n, 2),
            "satisfied_percent": round(100 * sum(1 for r in ratings if r >= 4) / n, 2)}


def summarize(rated: Iterable[tuple[str, str, str | None, int]]) -> dict[str, list[dict[str, Any]]]:
    """``rated``: (account, priority, assignee, rating) of each rated request. Requests
    nobody was assigned to count under the assignee ``-``."""
    groups: dict[str, dict[str, list[int]]] = {g: defaultdict(list) for g in GROUPS}
    for account, priority, assignee, rating in rated:
        groups["account"][account].append(rating)
        groups["priority"][priority].append(rating)
        groups["assignee"][assignee or "-"].append(rating)
    return {g: [_row(k, v) for k, v in sorted(groups[g].items())] for g in GROUPS}


def to_text_lines(csat: dict[str, list[dict[str, Any]]]) -> list[str]:
    if not any(csat.get(g) for g in GROUPS):
        return ["Customer satisfaction: no ratings"]
    lines = ["Customer satisfaction (ratings, average of 1-5, rated 4 or 5):"]
    for g in GROUPS:
        for r in csat.get(g, []):
            lines.append(f"  {g:<9} {r['key']:<12} {r['ratings']:>4} ratings  average {r['average']:g}  "
                         f"4-5 {r['satisfied_percent']:g}%")
    return lines


def panel(ax: Any, csat: dict[str, list[dict[str, Any]]]) -> None:
    """Average rating (bars, left axis) and share rated 4-5 (dots, right axis) per account."""
    rows = csat.get("account", [])
    xs = list(range(len(rows)))
    ax.bar(xs, [r["average"] for r in rows], width=0.5, label="average rating")
    ax.set_ylim(0, 5.2)
    ax.set_ylabel("average (1-5)")
    ax.set_xticks(xs, [f"{r['key']} ({r['ratings']})" for r in rows], fontsize=8)
    share = ax.twinx()
    share.plot(xs, [r["satisfied_percent"] for r in rows], "o", color="seagreen", label="rated 4-5")
    share.set_ylim(0, 105)
    share.set_ylabel("rated 4-5 (%)")
    ax.set_title("Customer satisfaction per account (number of ratings)")
