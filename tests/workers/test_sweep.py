"""The sweep: any number of sweepers, each due alarm handed to a job once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq import Queue
from slackops.workers.context import queue_name
from slackops.workers.sweep import Sweep

from slackops.requests import RequestStore


def test_many_sweepers_hand_each_alarm_once(redis, namespace, config):
    store = RequestStore(redis, config, prefix=namespace)
    past = datetime.now(UTC) - timedelta(seconds=30)
    for i in range(7):
        store.open("acme", title=f"r{i}", priority="P3", submitted_by="U0ACME1", now=past)
    due = store.due(datetime.now(UTC))
    assert len(due) >= 7
    q = Queue(queue_name(namespace), connection=redis)
    sweepers = [Sweep(redis, store, q, namespace, batch_size=3) for _ in range(3)]
    handed = [s.tick() for s in sweepers for _ in range(2)]
    assert sum(handed) == len(due)  # one leader; the others did nothing
    assert sum(1 for h in handed if h) == 1
    members = [a["member"] for job in q.get_jobs() for a in job.args[0]]
    assert sorted(members) == sorted(a.member for a in due)
    assert all(j.id.startswith(f"{namespace}-alarms-") for j in q.get_jobs())


def test_a_dead_sweepers_lock_passes_on(redis, namespace, config):
    store = RequestStore(redis, config, prefix=namespace)
    q = Queue(queue_name(namespace), connection=redis)
    a = Sweep(redis, store, q, namespace, lock_seconds=0.2)
    b = Sweep(redis, store, q, namespace, lock_seconds=0.2)
    assert a.is_leader() and not b.is_leader()
    import time

    time.sleep(0.3)  # a died: its lock expired
    assert b.is_leader() and not a.is_leader()
