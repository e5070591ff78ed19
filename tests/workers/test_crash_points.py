"""A worker killed at each step between reading an alarm and recording its post as done
(docs/workers.md, "Crash points"), and a new worker started: every notice of a storm of
every kind (warnings, breaches, digests, update cycles, an escalation step, the critical
notice, an auto-upgrade) reaches Slack exactly once, and none before its instant."""

from __future__ import annotations

import time

import pytest

from tests.workers import storm
from tests.workers.procs import stop

POINTS = [
    "sweep:handed",
    "job:start",
    "job:advanced",
    "job:applied/auto_upgrade",
    "job:applied/escalation",
    "job:applied/critical_notice",
    "job:queued",
    "job:done",
    "outbox:taken",
    "outbox:posting",
    "outbox:posted",
    "outbox:recorded",
]


def test_every_crash_point_is_tested():
    from slackops.workers.crash import POINTS as DECLARED

    from tests.workers.test_webhooks import WEBHOOK_POINTS

    assert {p.split("/")[0] for p in POINTS} | set(WEBHOOK_POINTS) == set(DECLARED)


#: Run by default: the points where a change and its notices meet, and a post in flight.
#: The rest run with `python3 -m pytest -m slow` (each case costs about 30 s).
EVERY_RUN = {"job:advanced", "job:applied/auto_upgrade", "job:applied/critical_notice", "outbox:posting"}


@pytest.mark.parametrize("point", [p if p in EVERY_RUN else pytest.param(p, marks=pytest.mark.slow) for p in POINTS])
def test_worker_killed_at_crash_point_every_notice_once(point, redis, redis_server, namespace, fake_slack, tmp_path):
    from slackops.requests import RequestStore

    cfg, cfg_file = storm.config(tmp_path)
    store = RequestStore(redis, cfg, prefix=namespace)
    a = storm.start_worker(cfg_file, redis_server.url, fake_slack, namespace, tmp_path, "a", crash_at=point)
    b = storm.start_worker(cfg_file, redis_server.url, fake_slack, namespace, tmp_path, "b", warm=True)
    try:
        assert storm.ready(redis, namespace, tmp_path, warm="b"), storm.log_tail(tmp_path, "a", "b")
        reqs = storm.open_storm(store)
        end = time.time() + 40
        while a.poll() is None and time.time() < end:
            time.sleep(0.05)
        assert a.poll() == storm.CRASH_STATUS, storm.log_tail(tmp_path, "a")
        storm.go(b)  # the new worker
        ok = storm.run_storm(fake_slack, store, reqs, timeout=60)
        time.sleep(2.5)  # anything doubled (or a next cycle) would land by now
    finally:
        stop(b, 10)
        storm.reap(a)
        storm.reap(b)
    assert ok, (sorted(set(storm.owed(reqs)) - set(storm.delivered(fake_slack))), storm.log_tail(tmp_path, "a", "b"))
    storm.check(fake_slack, reqs)
    # what the crashed step had recorded is in the history once: the change and its notices went together
    hist = {name: [e.type for e in store.history(r.id)] for name, r in reqs.items()}
    assert hist["A"].count("critical_notice_sent") == 1 and hist["A"].count("escalated") == 1
    assert hist["B"].count("reclassified") == 1 and hist["B"].count("critical_notice_sent") == 1
    assert store.get(reqs["B"].id).priority == "P1"
