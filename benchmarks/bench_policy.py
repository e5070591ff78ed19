"""How fast is the policy engine's business-time arithmetic?

Run by hand: ``python3 benchmarks/bench_policy.py [--starts N] [--repeat R]``.

Measures, in the same run and on the same start instants:

1. ``Calendar.add`` against pandas' ``CustomBusinessHour`` (the reference the issue names)
   for 1 business hour, 1 business day, 5 and 30 business days, and prints the ratio.
   The claim: at least 10x faster than pandas, with a cost that does not grow with the
   target's length.
2. ``Calendar.elapsed`` and ``Calendar.add_duration`` per call.
3. ``Policy.timeline`` per call, for every preset (skipped with a note when
   ``slackops.policy.load`` is not there).

pandas comes from the ``bench`` extra (``pip install -e '.[bench]'``); without it the
pandas columns are skipped. Figures are per call, best of R repeats; the machine's other
load moves them, the ratios much less.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slackops.policy.calendar import Calendar

DENVER = ZoneInfo("America/Denver")
WORKING_DAY_HOURS = 11  # Interopion: 07:00 to 18:00 Monday to Friday, Mountain Time
TARGETS = [("1 business hour", 1), ("1 business day", 11), ("5 business days", 55), ("30 business days", 330)]


def per_call_us(fn: Callable[[object], object], items: Sequence[object], repeat: int) -> float:
    """Best-of-``repeat`` mean µs per call of ``fn`` over ``items``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, (time.perf_counter() - t0) / len(items))
    return best * 1e6


def random_starts(n: int, seed: int = 2026) -> list[datetime]:
    """Instants spread over 2026 (any hour, any day: open, closed, weekends, DST days)."""
    rng = random.Random(seed)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        (first + timedelta(minutes=rng.randrange(365 * 24 * 60))).astimezone(DENVER) for _ in range(n)
    ]


def bench_add(starts: list[datetime], repeat: int) -> None:
    calendar = Calendar("business_hours", "America/Denver", {d: [("07:00", "18:00")] for d in range(5)})
    try:
        import pandas as pd
    except ImportError:
        pd = None
        print("pandas is not installed (pip install -e '.[bench]'): pandas columns skipped\n")

    t0 = time.perf_counter()
    calendar.add(starts[0], timedelta(hours=1))  # materialises 2025-2027
    cold_ms = (time.perf_counter() - t0) * 1e3
    print(f"Calendar {calendar.describe()}: first call (builds 3 years of intervals) {cold_ms:.1f} ms\n")

    header = f"{'target':<18} {'Calendar.add':>14} {'pandas CBH':>14} {'ratio':>8} {'same result':>12}"
    print(header)
    print("-" * len(header))
    ours_all = []
    differences: dict[str, tuple[int, int]] = {}
    for label, hours in TARGETS:
        amount = timedelta(hours=hours)
        ours = per_call_us(lambda s, a=amount: calendar.add(s, a), starts, repeat)
        ours_all.append(ours)
        if pd is None:
            print(f"{label:<18} {ours:>11.2f} µs")
            continue
        offset = pd.offsets.CustomBusinessHour(n=hours, start="07:00", end="18:00",
                                               weekmask="Mon Tue Wed Thu Fri")
        stamps = [pd.Timestamp(s) for s in starts]
        theirs = per_call_us(lambda s, o=offset: s + o, stamps, max(1, repeat // 2))
        same = closing = 0
        for s, p in zip(starts, stamps, strict=True):
            mine, pandas_due = calendar.add(s, amount), (p + offset).to_pydatetime()
            if mine == pandas_due:
                same += 1
            elif not calendar.is_open(mine) and calendar.next_open(mine) == pandas_due:
                closing += 1  # a deadline landing on a closing time is that closing time (docs/policy.md)
        differences[label] = (len(starts) - same, closing)
        print(f"{label:<18} {ours:>11.2f} µs {theirs:>11.2f} µs {theirs / ours:>7.1f}x "
              f"{same / len(starts):>11.1%}")
    spread = max(ours_all) / min(ours_all)
    print(f"\nCalendar.add cost from 1 business hour to 30 business days: "
          f"{min(ours_all):.2f}-{max(ours_all):.2f} µs (max/min {spread:.2f}: flat)")
    for label, (differ, closing) in differences.items():
        print(f"  {label}: {differ} results differ from pandas; {closing} of them because pandas moves "
              f"a deadline that lands on a closing time to the next opening (slackops: the closing time)")

    later = [s + timedelta(days=9, hours=5) for s in starts]
    pairs = list(zip(starts, later, strict=True))
    el = per_call_us(lambda p: calendar.elapsed(p[0], p[1]), pairs, repeat)
    print(f"\nCalendar.elapsed over ~9 days: {el:.2f} µs per call")
    interzen = Calendar("interzen", "Europe/Rome", {d: [("09:00", "13:00"), ("14:30", "18:30")] for d in range(5)},
                        holidays=("IT", None), closures=[("2026-08-03", "2026-08-21")])
    from slackops.policy.durations import parse_duration

    for text in ("4 business hours", "30 business days", "5 calendar days", "2 hours"):
        d = parse_duration(text)
        interzen.add_duration(starts[0], d)
        us = per_call_us(lambda s, d=d: interzen.add_duration(s, d), starts, repeat)
        print(f"Calendar.add_duration({text!r}) on Interzen's calendar: {us:.2f} µs per call")
    always = Calendar.always("America/Denver")
    us = per_call_us(lambda s: always.add(s, timedelta(hours=4)), starts, repeat)
    print(f"Calendar.add on a 24x7 calendar: {us:.2f} µs per call")


def bench_timeline(starts: list[datetime], repeat: int) -> None:
    print("\nPolicy.timeline per call (all checkpoints of a fresh request, each priority)")
    try:
        from slackops.policy import list_presets, load
    except ImportError as exc:
        print(f"  skipped: slackops.policy.load is not available yet ({exc})")
        return
    submitted = [s.astimezone(UTC) for s in starts]
    for name in list_presets():
        policy = load(name)
        rows = []
        for priority in policy.priorities:
            for cal_name in policy.calendars:
                policy.timeline(priority.id, submitted[0], calendar=cal_name)  # warm the cache
            us = per_call_us(lambda s, p=priority.id, pol=policy: pol.timeline(p, s), submitted, repeat)
            n = len(policy.timeline(priority.id, submitted[0]))
            rows.append(f"{priority.id} {us:.0f} µs ({n} checkpoints)")
        print(f"  {name:<11} " + ", ".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=2000, help="start instants per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="take the best of this many runs")
    args = parser.parse_args()
    starts = random_starts(args.starts)
    print(f"{len(starts)} start instants over 2026, best of {args.repeat}; median start "
          f"{statistics.median_low(starts).isoformat()}\n")
    bench_add(starts, args.repeat)
    bench_timeline(starts[: max(100, len(starts) // 4)], args.repeat)


if __name__ == "__main__":
    main()
