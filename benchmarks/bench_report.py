"""How fast is the monthly SLA report over 100,000 requests, and how much memory does it take?

Run by hand: ``python3 benchmarks/bench_report.py [--requests 100000] [--quick]``.

1. Makes N requests of one month for one Comensure account (the pure request model, no
   Redis): first responses, a share breached, a share waiting on the customer, resolutions,
   feature requests; and judges each one's checkpoints with the policy (``Policy.timeline``),
   reduced to the report's facts (``slackops.operations.report.facts``). This step is the
   same whoever aggregates, and is timed on its own.
2. Aggregates the facts into the report's figures with ``slackops.operations.report.aggregate``
   and, in the same run, the same figures with pandas (groupby, quantiles), both from the
   facts; checks that they agree (counts, attainment, medians and 90th percentiles,
   breaches and their lateness), and prints time and peak memory (tracemalloc) of each and
   the ratios.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

from slackops.operations.report import KINDS, aggregate, facts
from slackops.policy import load
from slackops.requests.model import Event, apply, submit

START = datetime(2026, 11, 2, 5, tzinfo=UTC)  # November 2026 in New York (after DST ended)
END = datetime(2026, 12, 1, 5, tzinfo=UTC)


def make_requests(n: int, seed: int = 7) -> list[Any]:
    rng = random.Random(seed)
    policy = load("comensure")
    from slackops.requests.model import Rules

    rules = Rules.from_policy(policy)
    out = []
    span = (END - START).total_seconds() - 6 * 86400
    for i in range(n):
        at = START + timedelta(seconds=rng.uniform(0, span))
        prio = rng.choices(["P1", "P2", "P3"], weights=[1, 3, 6])[0]
        req, _ev = submit(f"ACME-{i + 1}", account="acme", policy="comensure", calendar="default", language="en",
                          priority=prio, title=f"request {i}", submitted_by="U0ACME1", at=at, rules=rules)
        fr = rng.expovariate(1 / {"P1": 0.7, "P2": 3.0, "P3": 6.0}[prio])
        steps: list[tuple[str, float, dict[str, Any]]] = [("first_response", fr, {})]
        if rng.random() < 0.2:
            steps.append(("info_requested", fr + 1, {"question": "?"}))
            steps.append(("info_provided", fr + 1 + rng.uniform(1, 30), {"text": "!"}))
        r = rng.random()
        if r < 0.05:
            steps.append(("resolved", fr + 0.5, {"resolution": "feature_request", "note": ""}))
        elif r < 0.85:
            steps.append(("resolved", fr + 2 + rng.expovariate(1 / 40), {"resolution": "fix", "note": ""}))
        for type_, after_h, data in steps:
            req = apply(req, Event(type_, "U0AGENT1", at + timedelta(hours=after_h), data), rules)
        out.append(req)
    return out


def with_pandas(items: list[Any], start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    import pandas as pd

    chosen = [f for f in items if start <= f.submitted_at < end]
    cps = pd.DataFrame.from_records(
        [(f.id, f.account, f.priority, k, s, d, m) for f in chosen for (k, _key, s, d, m) in f.checkpoints],
        columns=["id", "account", "priority", "kind", "state", "due", "met"])
    cps = cps[cps.state.isin(["met", "breached", "pending"])]
    counts = cps.groupby(["account", "priority", "kind", "state"]).size().unstack("state", fill_value=0)
    for col in ("met", "breached", "pending"):
        if col not in counts:
            counts[col] = 0
    decided = counts.met + counts.breached
    counts["attainment"] = (100 * counts.met / decided).round(2).where(decided > 0)
    times = pd.DataFrame.from_records([(f.account, f.priority, f.fr_wall, f.fr_business, f.res_wall, f.res_business)
                                       for f in chosen],
                                      columns=["account", "priority", "fr_wall", "fr_business", "res_wall", "res_business"])
    g = times.groupby(["account", "priority"])
    med, p90 = g.quantile(0.5), g.quantile(0.9)
    br = cps[cps.state == "breached"]
    late = ((br.met.fillna(pd.Timestamp(now)) - br.due).dt.total_seconds() / 60).round(1)
    rows = {}
    for (a, p, k), r in counts.iterrows():
        prefix = {"first_response": "fr", "resolution": "res"}.get(k)
        row = {"met": int(r.met), "breached": int(r.breached), "open": int(r.pending),
               "attainment_percent": None if pd.isna(r.attainment) else float(r.attainment)}
        for clock in ("wall", "business"):
            m = med.loc[(a, p), f"{prefix}_{clock}"] if prefix else None
            q = p90.loc[(a, p), f"{prefix}_{clock}"] if prefix else None
            row[f"median_{clock}_hours"] = None if m is None or pd.isna(m) else round(float(m), 3)
            row[f"p90_{clock}_hours"] = None if q is None or pd.isna(q) else round(float(q), 3)
        rows[(a, p, k)] = row
    return {"rows": rows, "breaches": int(len(br)), "late_total": float(late.sum()),
            "feature_requests": sum(f.feature_request for f in chosen)}


def measure(fn: Any, repeat: int = 3) -> tuple[Any, float, float]:
    """(result, best time of ``repeat`` runs, peak memory of one more run under tracemalloc):
    tracemalloc slows every allocation, so time and memory are measured apart."""
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    fn()
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, best, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="10x fewer requests")
    args = ap.parse_args()
    n = args.requests // 10 if args.quick else args.requests
    policy = load("comensure")
    now = END + timedelta(days=2)
    t = time.perf_counter()
    reqs = make_requests(n)
    print(f"{n} requests made in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    items = [facts(r, policy, policy.timeline(**r.timeline_facts(), now=now)) for r in reqs]
    print(f"checkpoints and times of each (Policy.timeline + facts): {time.perf_counter() - t:.1f} s "
          f"({(time.perf_counter() - t) / n * 1e6:.0f} µs a request)")
    ranks = {("acme", p.id): p.rank for p in policy.priorities}
    ours, t_ours, m_ours = measure(lambda: aggregate(items, start=START, end=END, now=now, ranks=ranks))
    theirs, t_pd, m_pd = measure(lambda: with_pandas(items, START, END, now))
    # they must agree
    mismatches = 0
    for row in ours["rows"]:
        key = (row["account"], row["priority"], row["kind"])
        other = theirs["rows"].get(key)
        mine = {k: row[k] for k in other} if other else None
        if mine != other:
            mismatches += 1
            print("DIFFERENT", key, mine, other)
    if len(ours["rows"]) != len(theirs["rows"]):
        mismatches += 1
        print("DIFFERENT row count", len(ours["rows"]), len(theirs["rows"]))
    late = round(sum(b["late_by_minutes"] for b in ours["breaches"]), 1)
    if len(ours["breaches"]) != theirs["breaches"] or abs(late - theirs["late_total"]) > 0.05 * max(1, len(ours["breaches"])):
        mismatches += 1
        print("DIFFERENT breaches", len(ours["breaches"]), late, theirs["breaches"], theirs["late_total"])
    if len(ours["feature_requests"]) != theirs["feature_requests"]:
        mismatches += 1
    print(f"rows {len(ours['rows'])}, breaches {len(ours['breaches'])}, feature requests {len(ours['feature_requests'])}; "
          f"kinds counted: {', '.join(k for k in KINDS if any(r['kind'] == k for r in ours['rows']))}")
    print(f"{'':<22}{'time (best of 3)':>17}{'peak memory':>14}")
    print(f"{'slackops aggregate':<22}{t_ours:>16.3f}s{m_ours:>11.1f} MiB")
    print(f"{'pandas':<22}{t_pd:>16.3f}s{m_pd:>11.1f} MiB")
    print(f"ratio (pandas / slackops): time {t_pd / t_ours:.2f}x, peak memory {m_pd / m_ours:.2f}x")
    print("figures agree" if not mismatches else f"{mismatches} DIFFERENCES")
    raise SystemExit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
