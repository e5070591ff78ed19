"""Request store throughput and memory.

Measures, on an embedded Redis that this script starts in a temporary folder (and deletes):

- requests opened per second and transitions per second, on one connection and with 8 threads;
- Redis memory per open request, with its history and index entries, at 100,000 open requests
  (``INFO memory`` before/after, and ``MEMORY USAGE`` of each kind of key on a sample);
- the cost of the policy timeline that the store recomputes on every event;
- a baseline in the same run: a bare write of the same size (one EVALSHA: SET the state,
  XADD the history entry) from 8 threads on the same pool, the floor a store write stands on.

Targets: under 1.6 KB per open request at 100,000; at least 2,000 transitions/s with 8 threads
on one connection pool, at least 1,500 opened/s. It also prints what each store write costs
the Redis server (``INFO commandstats``), the figure behind the capacity of one primary in
docs/production.md.

    python benchmarks/bench_store.py              # the full run (100,000 open requests)
    python benchmarks/bench_store.py --open 20000 # a quicker memory figure
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not another install

from slackops.config import Config, Settings  # noqa: E402
from slackops.requests import Event, RequestStore  # noqa: E402
from slackops.requests.redis_server import connect  # noqa: E402

ACCOUNTS = [
    ("acme", "comensure", ["P1", "P2", "P3"]),
    ("ixc", "ixcloud", ["S1", "S2", "S3", "S4"]),
    ("act", "interactor", ["S1", "S2", "S3", "S4"]),
    ("zen", "interzen", ["P1", "P2", "P3", "P4"]),
    ("opi", "interopion", ["P1", "P2", "P3"]),
]
AGENTS = [f"U0AGENT{i:02d}" for i in range(20)]
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
THREADS = 8

# A plausible request: a title, a few sentences, the modal's fields.
TITLE = "Checkout page returns 502 for EU customers since 09:40"
DESCRIPTION = (
    "Since this morning about one in five checkout attempts from EU customers fails with a 502 "
    "from the payment step. Retrying sometimes works. We changed nothing on our side. Order "
    "volume is down 20% compared with last Monday; see the attached screenshots and HAR file."
)
FIELDS = {
    "impact": "20% of EU checkouts fail",
    "environment": "production, eu-west",
    "steps": "Add an item to the cart, pay by card, the confirmation page answers 502",
}


def config() -> Config:
    return Config.model_validate({
        "team_id": "T0VENDOR",
        "agents": AGENTS,
        "accounts": [
            {"id": a, "name": a.title(), "channel": f"C0{a.upper()}", "policy": p} for a, p, _ in ACCOUNTS
        ],
    })


def open_some(store: RequestStore, n: int, offset: int = 0) -> list[str]:
    ids = []
    for i in range(n):
        account, _policy, prios = ACCOUNTS[(offset + i) % len(ACCOUNTS)]
        req = store.open(
            account, title=TITLE, description=DESCRIPTION, priority=prios[(offset + i) % len(prios)],
            submitted_by="U0CUST1", now=T0 + timedelta(seconds=(offset + i) % 3600), fields=FIELDS,
        )
        ids.append(req.id)
    return ids


def transitions(store: RequestStore, ids: list[str], rounds: int) -> int:
    """Per request: an update, then (first round) taking it; later rounds post updates."""
    done = 0
    for r in range(rounds):
        for i, rid in enumerate(ids):
            at = T0 + timedelta(hours=1, minutes=r)
            if r == 0:
                ev = Event("assigned", AGENTS[i % len(AGENTS)], at)
            else:
                ev = Event("update_posted", AGENTS[i % len(AGENTS)], at)
            store.apply(rid, ev)
            done += 1
    return done


CPU: dict[str, float] = {}  # client CPU microseconds per operation, by phase


def _process_transitions(socket_path: str, prefix: str, ids: list[str]) -> int:
    import redis as redis_py

    client = redis_py.Redis(unix_socket_path=socket_path)
    store = RequestStore(client, config(), prefix=prefix)
    try:
        return transitions(store, ids, 2)
    finally:
        client.close()


def timed(fn: Callable[[], int]) -> tuple[int, float]:
    start, cpu = time.perf_counter(), time.process_time()
    n = fn()
    timed.cpu = (time.process_time() - cpu) / max(n, 1) * 1e6  # type: ignore[attr-defined]
    return n, time.perf_counter() - start


def in_threads(n_threads: int, work: Callable[[int], int]) -> tuple[int, float]:
    counts = [0] * n_threads
    barrier = threading.Barrier(n_threads + 1)

    def run(i: int) -> None:
        barrier.wait()
        counts[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    barrier.wait()
    start, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    timed.cpu = (time.process_time() - cpu) / max(sum(counts), 1) * 1e6  # type: ignore[attr-defined]
    return sum(counts), time.perf_counter() - start


def bench_throughput(store: RequestStore, n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    count, secs = timed(lambda: len(open_some(store, n, offset=0)))
    out["opened/s, 1 connection"] = count / secs
    CPU["opened/s, 1 connection"] = timed.cpu  # type: ignore[attr-defined]
    ids = [r.id for r in store.list(open_only=True)][:n]
    count, secs = timed(lambda: transitions(store, ids, 2))  # take, then post an update
    out["transitions/s, 1 connection"] = count / secs
    CPU["transitions/s, 1 connection"] = timed.cpu  # type: ignore[attr-defined]

    per = n // THREADS
    opened: list[list[str]] = [[] for _ in range(THREADS)]

    def open_chunk(i: int) -> int:
        opened[i] = open_some(store, per, offset=(i + 1) * 100_000)
        return len(opened[i])

    count, secs = in_threads(THREADS, open_chunk)
    out[f"opened/s, {THREADS} threads"] = count / secs
    CPU[f"opened/s, {THREADS} threads"] = timed.cpu  # type: ignore[attr-defined]
    count, secs = in_threads(THREADS, lambda i: transitions(store, opened[i], 2))
    out[f"transitions/s, {THREADS} threads"] = count / secs
    CPU[f"transitions/s, {THREADS} threads"] = timed.cpu  # type: ignore[attr-defined]

    # The baseline, in the same run: a bare write of the same size on the same pool (one EVALSHA
    # that SETs the state and XADDs the history entry, no policy, no Python model around it).
    body = store.redis.get(store.keys.request(opened[0][0])) or b"{}"
    sha = store.redis.script_load("redis.call('SET', KEYS[1], ARGV[1]); "
                                  "redis.call('XADD', KEYS[2], 'MAXLEN', '~', 1000, '*', 'e', ARGV[2]); return 1")

    def bare(i: int) -> int:
        for j in range(2 * per):
            store.redis.evalsha(sha, 2, f"benchbare:{i}:{j % per}", f"benchbare:h:{i}", body, "assigned")
        return 2 * per

    count, secs = in_threads(THREADS, bare)
    out[f"bare writes/s, {THREADS} threads"] = count / secs
    CPU[f"bare writes/s, {THREADS} threads"] = timed.cpu  # type: ignore[attr-defined]
    for key in store.redis.scan_iter(match="benchbare:*", count=1000):
        store.redis.delete(key)

    # The same work from 8 processes (as N web processes and workers would be): no shared GIL.
    count, secs = in_threads(THREADS, lambda i: len(open_some(store, per, offset=(i + 20) * 100_000)))
    ids = [r.id for r in store.list(open_only=True) if not r.assignee]
    chunks = [ids[i::THREADS][:per] for i in range(THREADS)]
    url = store.redis.connection_pool.connection_kwargs.get("path")
    ctx = multiprocessing.get_context("fork")
    start = time.perf_counter()
    with ctx.Pool(THREADS) as pool:
        count = sum(pool.starmap(_process_transitions, [(url, store.keys.prefix, c) for c in chunks]))
    out[f"transitions/s, {THREADS} processes"] = count / (time.perf_counter() - start)
    CPU[f"transitions/s, {THREADS} processes"] = float("nan")
    return out


def server_cost(client) -> dict[str, float]:
    """Server microseconds per call of the store's write script and of every command."""
    stats = client.info("commandstats")
    evalsha = stats.get("cmdstat_evalsha", {})
    calls = sum(v["calls"] for v in stats.values())
    usec = sum(v["usec"] for v in stats.values())
    return {
        "store write (EVALSHA), server us/call": float(evalsha.get("usec_per_call", 0.0)),
        "every command, server us/call": usec / max(calls, 1),
        "store writes counted": float(evalsha.get("calls", 0)),
    }


def bench_timeline(store: RequestStore) -> dict[str, float]:
    """Microseconds per Policy.timeline call, as the store makes it on every event."""
    out = {}
    for account, policy, _ in ACCOUNTS:
        reqs = store.list(account=account, open_only=True)[:20]
        now = T0 + timedelta(hours=2)
        start = time.perf_counter()
        for _ in range(10):
            for r in reqs:
                store.timeline(r, now)
        out[policy] = (time.perf_counter() - start) / (10 * len(reqs)) * 1e6
    return out


def bench_memory(store: RequestStore, n_open: int, baseline: int) -> dict[str, float]:
    r = store.redis
    have = sum(r.scard(store.keys.open_by_account(a)) for a, _, _ in ACCOUNTS)
    batch = 5000
    while have < n_open:
        k = min(batch, n_open - have)
        ids = open_some(store, k, offset=have)
        # each has its card in its shared channel (the card index: one hash field)
        for i, rid in enumerate(ids):
            store.set_card(rid, f"C0{rid.split('-')[0]}", f"{1795000000 + have + i}.{i:06d}")
        # half of them are taken by an agent: two history entries and an assignee index entry
        for rid in ids[::2]:
            store.apply(rid, Event("assigned", AGENTS[hash(rid) % len(AGENTS)], T0 + timedelta(hours=1)))
        have += k
    r.execute_command("MEMORY", "PURGE") if _supports_purge(r) else None
    used = int(r.info("memory")["used_memory"])
    n = sum(r.scard(store.keys.open_by_account(a)) for a, _, _ in ACCOUNTS)
    out = {"open requests": n, "used_memory - empty (bytes/request)": (used - baseline) / n}
    # Where it goes: MEMORY USAGE of each key kind, on a sample, attributed per request
    sample = random.Random(7).sample([x.id for x in store.list(open_only=True)], 500)
    state = statistics.mean(r.memory_usage(store.keys.request(x), samples=0) for x in sample)
    out["state (JSON string), bytes/request"] = state
    history = sum(r.memory_usage(store.keys.history(a), samples=0) or 0 for a, _, _ in ACCOUNTS)
    out["history streams, bytes/request"] = history / n
    dl = r.memory_usage(store.keys.deadlines, samples=0) or 0
    out["deadline index, bytes/request"] = dl / n
    out["alarms per open request"] = r.zcard(store.keys.deadlines) / n
    idx = 0
    for key in r.scan_iter(match=f"{store.keys.prefix}:open:*", count=1000):
        idx += r.memory_usage(key, samples=0) or 0
    out["open indexes, bytes/request"] = idx / n
    out["card index, bytes/request"] = (r.memory_usage(store.keys.cards, samples=0) or 0) / n
    return out


def _supports_purge(r) -> bool:
    try:
        r.execute_command("MEMORY", "PURGE")
        return True
    except Exception:  # noqa: BLE001 - not every build has jemalloc
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=4000, help="requests per throughput phase")
    ap.add_argument("--open", type=int, default=100_000, help="open requests for the memory figure")
    args = ap.parse_args()

    folder = tempfile.mkdtemp(prefix="slackops-bench-")
    try:
        with connect(Settings(data_dir=folder)) as (client, description):
            print(f"using {description}")
            baseline = int(client.info("memory")["used_memory"])
            store = RequestStore(client, config(), prefix="bench")
            # warm the policy cache
            for _a, p, _ in ACCOUNTS:
                store.policy(p)

            client.config_resetstat()
            print("\nThroughput")
            print(f"  {'':<32} {'per s':>10} {'client CPU us/op':>18}")
            results = bench_throughput(store, args.ops)
            for name, value in results.items():
                cpu = CPU[name]
                print(f"  {name:<32} {value:10.0f} {'-' if cpu != cpu else f'{cpu:.0f}':>18}")
            bare = results[f"bare writes/s, {THREADS} threads"]
            for name in (f"transitions/s, {THREADS} threads", f"opened/s, {THREADS} threads"):
                print(f"  {name:<32} {results[name] / bare:10.2f} x the bare write (same run)")
            load = os.getloadavg()[0]
            print(f"  (load average {load:.2f} on {os.cpu_count()} cores, shared with other work)")
            import redis.utils

            print(f"  (hiredis {'on' if redis.utils.HIREDIS_AVAILABLE else 'off'})")
            print("\nCost on the Redis server")
            for name, value in server_cost(client).items():
                print(f"  {name:<40} {value:10.1f}")
            print("\nPolicy.timeline per call (recomputed on every event), microseconds")
            for name, value in bench_timeline(store).items():
                print(f"  {name:<32} {value:10.0f}")

            # the memory figure from a clean database holding only open requests
            client.flushdb()
            baseline = int(client.info("memory")["used_memory"])
            print(f"\nMemory at {args.open:,} open requests")
            start = time.perf_counter()
            mem = bench_memory(store, args.open, baseline)
            for name, value in mem.items():
                print(f"  {name:<40} {value:10.1f}")
            per = mem["used_memory - empty (bytes/request)"]
            print(f"  (filled in {time.perf_counter() - start:.0f} s)")
            print(f"\nTarget: < 1638 bytes per open request -> {per:.0f} ({per / 1638:.2f} of the budget)")
            print("Target: >= 2000 transitions/s with 8 threads, >= 1500 opened/s (see above)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
