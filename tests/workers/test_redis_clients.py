"""The workers on every redis-py the desk allows: an rq worker's loop ends promptly (redis-py 8
waits for rq's pub/sub thread, which rq leaves asleep for a minute), and the replies the
workers parse read the same whichever protocol (RESP2 or RESP3) the client speaks."""

from __future__ import annotations

import threading
import time

import pytest
import redis as redis_py
from rq import Queue
from slackops.workers.context import queue_name
from slackops.workers.publisher import Publisher, stream_replies
from slackops.workers.rqworker import DeskWorker

from slackops.notices.outbox import Outbox, make_client
from slackops.requests import Event, RequestStore

from .conftest import SHARED, Harness, notices, utcnow


def test_a_burst_worker_runs_its_job_and_leaves_no_thread(redis, namespace):
    queue = Queue(queue_name(namespace), connection=redis)
    job = queue.enqueue("builtins.len", "four")
    before = {t.ident for t in threading.enumerate()}
    worker = DeskWorker([queue], connection=redis)
    worker.work(burst=True, logging_level="WARNING")
    assert job.latest_result().return_value == 4
    assert worker.pubsub_thread is not None
    worker.pubsub_thread.join(5)
    assert not [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]


def test_the_command_listener_stops_within_seconds_once_unsubscribed(redis, namespace):
    """The race that stalled every worker on redis-py 8: rq's listener thread reads its own
    unsubscription before the worker tells it to stop, and then sleeps for a subscription
    that never comes (a minute, in rq); redis-py 8's ``stop()`` waits for it."""
    worker = DeskWorker([Queue(queue_name(namespace), connection=redis)], connection=redis)
    worker.subscribe()
    worker.pubsub.unsubscribe()
    end = time.monotonic() + 10
    while worker.pubsub.subscribed and time.monotonic() < end:  # the listener read it
        time.sleep(0.01)
    assert not worker.pubsub.subscribed
    time.sleep(0.3)  # and went back to waiting
    started = time.monotonic()
    worker.unsubscribe()
    worker.pubsub_thread.join(15)
    took = time.monotonic() - started
    # 15 s: far above a busy machine's second, far below the minute this guards against
    assert not worker.pubsub_thread.is_alive() and took < 15, f"the listener took {took:.1f} s to stop"


@pytest.fixture(params=[2, 3], ids=["RESP2", "RESP3"])
def client(request, redis_server):
    c = redis_py.Redis.from_url(redis_server.url, protocol=request.param)
    yield c
    c.close()


def test_stream_replies_of_both_protocols_read_alike(client, namespace):
    stream = f"{namespace}:s"
    client.xadd(stream, {"e": "1"})
    client.xgroup_create(stream, "g", id="0")
    got = stream_replies(client.xreadgroup("g", "c", {stream: ">"}, count=10))
    assert [(s, [fields for _eid, fields in entries]) for s, entries in got] == [(stream.encode(), [{b"e": b"1"}])]
    assert stream_replies(client.xreadgroup("g", "c", {stream: ">"}, count=10)) == []


def test_the_publisher_posts_a_card_on_either_protocol(client, namespace, fake_slack, config):
    store = RequestStore(client, config, prefix=namespace)
    outbox = Outbox(client, make_client("xoxb-test", fake_slack.url, timeout=5), namespace, interval=0.0)
    pub = Publisher(client, store, config, outbox.client, outbox, block=0.05, retry_every=0.05)
    outbox.after_sent = pub.card_posted
    pub.ensure_groups()
    req = store.open("acme", title="Exports fail", priority="P3", submitted_by="U0ACME1", now=utcnow())
    end = time.monotonic() + 20
    while time.monotonic() < end and store.get(req.id).card_ts is None:
        pub.step(block=0)
        outbox.drain(timeout=5)
    assert store.get(req.id).card_ts == fake_slack.messages(SHARED)[0]["ts"]


def test_warning_and_breach_on_either_protocol(client, config, fake_slack, namespace):
    h = Harness(client, config, fake_slack, namespace)
    try:
        now = utcnow()
        req = h.store.open("acme", title="Checkout down", priority="P3", submitted_by="U0ACME1", now=now)
        h.store.apply(req.id, Event(type="assigned", actor="U0AGENT1", at=now, data={"assignee": "U0AGENT1"}))
        # its acknowledgement sent: the first response (the publisher records it)
        h.store.apply(req.id, Event(type="first_response", actor="system", at=now, data={"by": "acknowledgement"}))
        h.card(req)
        assert h.run_until(lambda: len(notices(fake_slack, "C0NORMAL")) >= 2, timeout=20)
    finally:
        h.stop()
    ids = [m["notice_id"] for m in notices(fake_slack, "C0NORMAL")]
    assert ids == [f"{req.id}|resolution|warn:0.5|C0NORMAL", f"{req.id}|resolution|due|C0NORMAL"]
