"""Sentinel: REDIS_URL=redis+sentinel://..., a primary killed mid-traffic, nothing acknowledged lost."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import redis as redis_py

from slackops.config import Settings
from slackops.errors import SlackopsError
from slackops.requests import Event, RequestStore
from slackops.requests.connect import client_for_url, describe, parse_sentinel_url, replicas_to_wait
from slackops.requests.redis_server import connect
from tests.production.servers import SentinelSet
from tests.requests.helpers import config


def test_sentinel_urls_are_read_and_bad_ones_named():
    s = parse_sentinel_url("rediss+sentinel://:pa%40ss@h1:26379,h2:26380/desk/3?sentinel_password=x")
    assert s.sentinels == (("h1", 26379), ("h2", 26380)) and s.service == "desk" and s.db == 3
    assert s.password == "pa@ss" and s.tls and s.sentinel_password == "x"
    assert parse_sentinel_url("redis+sentinel://h1/desk").sentinels == (("h1", 26379),)
    assert describe("redis+sentinel://:pw@h1:1,h2:2/desk/0?sentinel_password=x") == \
        "redis+sentinel://***@h1:1,h2:2/desk/0?sentinel_password=***"
    for url, why in [("redis+sentinel://h1:26379", "name the service"),
                     ("redis+sentinel://h1:x/desk", "the port is not a number"),
                     ("redis+sentinel://h1/desk/zero", "the database 'zero' is not a number"),
                     ("redis+sentinel://:secret@h1/a/b/c", "the path is /SERVICE/DB")]:
        with pytest.raises(SlackopsError, match=why) as info:
            client_for_url(url)
        assert "secret" not in str(info.value)


def test_no_sentinel_answering_is_one_plain_line():
    with pytest.raises(SlackopsError) as info:
        with connect(Settings(redis_url="redis+sentinel://:s3cret@127.0.0.1:1/desk/0")):
            pass
    assert "cannot reach Redis at redis+sentinel://***@127.0.0.1:1/desk/0" in str(info.value)
    assert "s3cret" not in str(info.value) and "\n" not in str(info.value)


@pytest.fixture
def sentinels(tmp_path):
    cluster = SentinelSet(tmp_path).start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_a_failover_mid_traffic_loses_no_acknowledged_write(sentinels, namespace):
    with connect(Settings(redis_url=sentinels.url)) as conn:
        client = conn.client
        assert conn.description.startswith("Redis 6.2 at redis+sentinel://127.0.0.1:")
        store = RequestStore(client, config(), prefix=namespace)
        assert store.wait_replicas == 1 == replicas_to_wait(client)
        acked: list[tuple[str, int]] = []  # (id, version) a client was told were saved
        failures: list[str] = []
        stamps: list[float] = []
        stop = threading.Event()

        def customer(n: int) -> None:
            i = 0
            while not stop.is_set():
                key = f"{namespace}-{n}-{i}"
                while not stop.is_set():  # as Slack redelivers: the same delivery, the same key
                    try:
                        req = store.open("acme", title=f"t{n}-{i}", priority="P3", submitted_by="U0ACME1",
                                         now=datetime.now(UTC), idempotency_key=key)
                        req = store.apply(req.id, Event("assigned", "U0AGENT1", datetime.now(UTC)),
                                          idempotency_key=key + "-take")
                        acked.append((req.id, req.version))
                        stamps.append(time.monotonic())
                        break
                    except (redis_py.RedisError, OSError) as e:
                        failures.append(type(e).__name__)
                        time.sleep(0.2)
                i += 1

        threads = [threading.Thread(target=customer, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 60
            while len(acked) < 60:
                assert time.monotonic() < deadline, failures[-5:]
                time.sleep(0.05)
            old = sentinels.primary_port()
            sentinels.server_on(old).kill()  # SIGKILL: no goodbye to anyone
            killed_at, before = time.monotonic(), len(acked)
            deadline = time.monotonic() + 90
            while len(acked) < before + 60:
                assert time.monotonic() < deadline, (failures[-5:], sentinels.sentinels[0].log())
                time.sleep(0.05)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        new = sentinels.primary_port()
        assert new != old
        resumed = min(s for s in stamps if s > killed_at)
        print(f"\nfailover: first acknowledged write {resumed - killed_at:.1f} s after the primary died; "
              f"{len(failures)} failed attempts retried ({sorted(set(failures))})")
        # every write a client was told was saved is on the new primary
        fresh = RequestStore(sentinels.server_on(new).client(), config(), prefix=namespace)
        for rid, version in acked:
            got = fresh.get(rid)
            assert got.version >= version and got.assignee == "U0AGENT1", rid
            assert [e.type for e in fresh.history(rid)][:2] == ["submitted", "assigned"]
        titles = [r.title for r in fresh.list(account="acme", open_only=False)]
        assert len(titles) == len(set(titles))  # a retried delivery opened nothing twice
        # rq on the same URL reaches the new primary, once that primary takes writes again (the
        # Sentinels may still be moving the other replica over: min-replicas-to-write refuses until then)
        from rq import Queue
        from slackops.workers.rqworker import DeskWorker

        sentinels.wait_writable()
        queue = Queue(f"{namespace}q", connection=client_for_url(sentinels.url))
        job = queue.enqueue("builtins.len", "four")
        DeskWorker([queue], connection=queue.connection).work(burst=True)
        assert job.latest_result().return_value == 4
