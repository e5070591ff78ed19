"""A soak on one machine, as production runs it (``python3 -m pytest -m slow``).

Two web processes (two ports; customers go to either, and to the other when one does not
answer, as behind a load balancer), three workers, the embedded Redis. Simulated customers
open 1,000 requests over five minutes across ten accounts and agents take the even-numbered
ones from their cards, while the fake Slack answers 429 and 5xx now and then and a random
process is SIGKILLed every 30 s and started again. At the end every card, thread notice, alarm and DM is in the
fake Slack exactly once, and every request a customer was told was opened exists.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from slackops.config import Config, Settings
from slackops.requests import RequestStore
from slackops.requests.redis_server import connect
from slackops.sandbox.driver import SlackDriver
from tests.slack.conftest import form
from tests.workers.conftest import POLICY
from tests.workers.test_faults import delivered

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "soak-signing-secret"
ACCOUNTS = 10
REQUESTS = int(os.environ.get("SLACKOPS_SOAK_REQUESTS", "1000"))
SECONDS = float(os.environ.get("SLACKOPS_SOAK_SECONDS", "300"))
KILL_EVERY = 30.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(policy: Path) -> Config:
    return Config.model_validate({
        "team_id": "T0VENDOR",
        "agents": ["U0AGENT1", "U0AGENT2"],
        "managers": {"directors": ["U0DIR1"], "executives": ["U0EXEC1"]},
        "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"},
        # each account's agents' cards in its own team's channel: a thousand cards in one
        # channel would take Slack's pace of one message a second longer than the soak
        "accounts": [{"id": f"acct{i}", "name": f"Account {i}", "channel": f"C0SHARED{i}", "policy": str(policy),
                      "contacts": [f"U0CUST{i}"], "triage_channel": f"C0AGENTS{i}"} for i in range(ACCOUNTS)],
    })


class Fleet:
    """The five processes, each started again after it is killed."""

    def __init__(self, tmp: Path, cfg: Path, url: str, fake_url: str, prefix: str) -> None:
        self.tmp, self.cfg, self.url, self.fake_url, self.prefix = tmp, cfg, url, fake_url, prefix
        self.ports = [_port(), _port()]
        self.names = ["web0", "web1", "worker0", "worker1", "worker2"]
        self.procs: dict[str, subprocess.Popen] = {}
        self.kills: list[str] = []

    def _cmd(self, name: str) -> list[str]:
        base = [sys.executable, "-m", "slackops.cli"]
        if name.startswith("web"):
            return base + ["serve", "--config", str(self.cfg), "--http", "--host", "127.0.0.1",
                           "--port", str(self.ports[int(name[-1])]), "--prefix", self.prefix]
        return base + ["worker", "--config", str(self.cfg), "--prefix", self.prefix, "--lease-seconds", "3",
                       "--handoff-seconds", "5", "--slack-timeout", "3"]

    def start(self, name: str) -> None:
        env = dict(os.environ, REDIS_URL=self.url, SLACK_API_URL=self.fake_url, SLACK_BOT_TOKEN="xoxb-test",
                   SLACK_SIGNING_SECRET=SECRET, SLACKOPS_DATA_DIR=str(self.tmp / "data"))
        log = open(self.tmp / f"{name}.log", "a")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(self._cmd(name), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT))
        log.close()

    def start_all(self) -> None:
        for n in self.names:
            self.start(n)

    def kill_one(self, rng: random.Random) -> None:
        name = rng.choice(self.names)
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)
        self.kills.append(name)
        self.start(name)

    def stop_all(self) -> list[int | None]:
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        codes = []
        for p in self.procs.values():
            try:
                codes.append(p.wait(20))
            except subprocess.TimeoutExpired:
                p.kill()
                codes.append(p.wait())
        return codes


def test_soak(tmp_path, fake_slack, namespace):
    policy = tmp_path / "fastdesk.yml"
    policy.write_text(POLICY)
    config = _config(policy)
    cfg = tmp_path / "slackops.yml"
    cfg.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    for i in range(ACCOUNTS):
        fake_slack.add_user(f"U0CUST{i}", team_id=f"T0CUST{i}", is_stranger=True)
    fake_slack.rate_limit(1.0, burst=3)  # Slack's pacing per channel: more is a 429
    rng = random.Random(15)
    with connect(Settings(data_dir=str(tmp_path / "redis"))) as conn:
        store = RequestStore(conn.client, config, prefix=namespace)
        fleet = Fleet(tmp_path, cfg, conn.url, fake_slack.url, namespace)
        fleet.start_all()
        told: dict[str, str] = {}  # title -> view id, for every open a customer was told succeeded
        took: list[str] = []
        stop = threading.Event()
        errors: Counter = Counter()

        def send(make) -> object | None:
            """A request to one web process, then the other, until one answers 200."""
            for attempt in range(200):
                port = fleet.ports[(attempt + rng.randrange(2)) % 2]
                try:
                    r = make(SlackDriver(f"http://127.0.0.1:{port}/slack/events", SECRET, team_id="T0VENDOR"))
                    if r.status == 200:
                        return r
                    errors[f"http {r.status}"] += 1
                except OSError as e:
                    errors[type(e).__name__] += 1
                time.sleep(0.2)
            return None

        def customers() -> None:
            start = time.monotonic()
            for n in range(REQUESTS):
                while time.monotonic() < start + n * SECONDS / REQUESTS:
                    time.sleep(0.01)
                a = n % ACCOUNTS
                title, view_id = f"soak {n}", f"V0SOAK{n:05d}"
                meta = json.dumps({"account": f"acct{a}", "channel": f"C0SHARED{a}", "source": "command"})
                r = send(lambda d, title=title, view_id=view_id, meta=meta, a=a: d.view_submission(
                    "slackops_open_request", form(priority="P3", title=title, description="soak"),
                    user_id=f"U0CUST{a}", user_team_id=f"T0CUST{a}", view_id=view_id, private_metadata=meta))
                if r is not None and not r.body:
                    told[title] = view_id

        def agents() -> None:
            while not stop.is_set():
                time.sleep(0.5)
                waiting = [r for r in store.list(open_only=True)
                           if not (r.number % 2 or r.assignee or not r.card_ts or r.id in took)]
                for req in rng.sample(waiting, min(len(waiting), 10)):
                    card = fake_slack.message(req.card_channel or req.channel, req.card_ts)
                    if card is None:
                        continue
                    r = send(lambda d, req=req, card=card: d.block_action(
                        "req_take", json.dumps({"r": req.id}), user_id="U0AGENT1",
                        channel_id=req.card_channel or req.channel, message=card))
                    if r is not None:
                        took.append(req.id)

        def trouble() -> None:
            """Slack answering 429 and 5xx now and then."""
            while not stop.is_set():
                time.sleep(rng.uniform(2, 6))
                status = rng.choice([429, 500, 502, 503])
                fake_slack.fail_next("chat.postMessage", status=status, retry_after=1, times=rng.randint(1, 3))

        started = time.monotonic()
        threads = [threading.Thread(target=f, daemon=True) for f in (customers, agents, trouble)]
        for t in threads:
            t.start()
        try:
            next_kill = started + KILL_EVERY
            while threads[0].is_alive():
                if time.monotonic() >= next_kill:
                    fleet.kill_one(rng)
                    next_kill += KILL_EVERY
                time.sleep(0.2)
            traffic = time.monotonic() - started
            stop.set()

            # every request a customer was told was opened is there
            titles = {r.title: r for a in config.accounts for r in store.list(account=a.id, open_only=False)}
            missing = sorted(set(told) - set(titles))
            assert not missing, missing[:10]
            assert len(titles) == len(told) == REQUESTS, (len(titles), len(told))

            def owed() -> set[str]:
                out = set()
                for req in titles.values():
                    out.add(f"card|{req.id}")
                    out.add(f"triage|{req.id}")
                    for cp in store.timeline(store.get(req.id), datetime.now(UTC)):
                        if cp.state == "breached" and cp.met_at is None:
                            out.add(f"{req.id}|{cp.key}|due")
                return out

            def outstanding() -> set[str]:
                got = delivered(fake_slack)
                have = set(got) | {k.rsplit("|", 1)[0] for k in got if k.count("|") >= 3}
                return {k for k in owed() if k not in have}

            deadline = time.monotonic() + 600
            while outstanding() and time.monotonic() < deadline:
                time.sleep(2)
            left = outstanding()
            time.sleep(5)  # anything doubled would land by now
            drained = time.monotonic() - started
        finally:
            stop.set()
            codes = fleet.stop_all()
        counts = delivered(fake_slack)
        doubled = {k: v for k, v in counts.items() if v > 1}
        logs = "\n".join((tmp_path / f"{n}.log").read_text()[-1500:] for n in fleet.names)
        assert not left, (sorted(left)[:10], logs)
        assert not doubled, (doubled, logs)
        # each card once in its channel, with its request's id
        cards = Counter(k for k in counts if k.startswith("card|"))
        assert len(cards) == REQUESTS and set(cards.values()) == {1}
        triage = Counter(k for k in counts if k.startswith("triage|"))  # and each agents' card once
        assert len(triage) == REQUESTS and set(triage.values()) == {1}
        assert all(c in (0, -15) for c in codes), codes  # SIGTERM: each stops by itself
        posts = Counter(c.status for c in fake_slack.calls_to("chat.postMessage"))
        stats = conn.client.info("commandstats")  # what the whole desk cost the Redis server
        calls, usec = sum(v["calls"] for v in stats.values()), sum(v["usec"] for v in stats.values())
        figures = {
            "requests": REQUESTS, "taken": len(took), "traffic_s": round(traffic), "drained_s": round(drained),
            "kills": Counter(fleet.kills), "notices": len(counts), "posts": dict(posts),
            "client_retries": dict(errors),
            "redis_commands_per_request": round(calls / REQUESTS), "redis_server_ms_per_request": round(usec / REQUESTS / 1000, 2),
        }
        print("\nsoak:", json.dumps(figures, default=dict))
        (tmp_path / "figures.json").write_text(json.dumps(figures, default=dict))
