"""Concurrent writers from threads: exactly one winner, no lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import redis as redis_py

from slackops.requests import ConflictError, DomainError, Event, RequestStore
from tests.requests.helpers import at, config

THREADS = 8


@pytest.fixture
def stores(redis_server, redis, namespace) -> list[RequestStore]:
    """One store (and one connection pool) per thread, as separate web processes would have."""
    cfg = config()
    clients = [redis_py.Redis.from_url(redis_server.url) for _ in range(THREADS)]
    yield [RequestStore(c, cfg, prefix=namespace) for c in clients]
    for c in clients:
        c.close()


def race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in n threads released at the same instant; results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as e:  # noqa: BLE001 - the test inspects it
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_agents_press_take_at_once_exactly_one_wins(stores):
    req = stores[0].open("acme", title="Down", priority="P1", submitted_by="U0ACME1", now=at(0))
    agents = [f"U0AGENT{i}" for i in range(THREADS)]
    results = race(THREADS, lambda i: stores[i].apply(req.id, Event("assigned", agents[i], at(1))))
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    winner = winners[0].assignee
    losers = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, DomainError) and str(e) == f"{req.id} is taken by <@{winner}>" for e in losers)
    final = stores[0].get(req.id)
    assert (final.assignee, final.version) == (winner, 2)
    assert [e.type for e in stores[0].history(req.id)] == ["submitted", "assigned"]


def test_no_lost_update_under_contention(stores):
    req = stores[0].open("acme", title="Down", priority="P2", submitted_by="U0ACME1", now=at(0))
    per_thread = 10

    def post(i: int) -> None:
        for k in range(per_thread):
            stores[i].apply(req.id, Event("update_posted", f"U0AGENT{i}", at(1 + i * per_thread + k)))

    assert race(THREADS, post) == [None] * THREADS
    final = stores[0].get(req.id)
    assert final.version == 1 + THREADS * per_thread
    assert len(final.updates) == THREADS * per_thread
    assert len(stores[0].history(req.id)) == 1 + THREADS * per_thread


def test_expected_version_lets_exactly_one_writer_through(stores):
    req = stores[0].open("acme", title="Down", priority="P2", submitted_by="U0ACME1", now=at(0))
    results = race(
        THREADS,
        lambda i: stores[i].apply(req.id, Event("update_posted", "U0AGENT1", at(1)), expected_version=1),
    )
    ok = [r for r in results if not isinstance(r, Exception)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(ok) == 1 and len(conflicts) == THREADS - 1
    assert all(c.current is not None and c.current.version == 2 for c in conflicts)


def test_concurrent_opens_get_distinct_sequential_ids(stores):
    results = race(
        THREADS,
        lambda i: [stores[i].open("acme", title=f"t{i}", priority="P3", submitted_by="U0ACME1", now=at(i)).id
                   for _ in range(5)],
    )
    ids = sorted((x for r in results for x in r), key=lambda x: int(x.split("-")[1]))
    assert ids == [f"ACME-{n}" for n in range(1, THREADS * 5 + 1)]
    assert len(stores[0].list(account="acme")) == THREADS * 5


def test_concurrent_redeliveries_create_one_request(stores):
    results = race(
        THREADS,
        lambda i: stores[i].open("acme", title="Down", priority="P1", submitted_by="U0ACME1", now=at(0),
                                 idempotency_key="view-V1"),
    )
    assert len({r.id for r in results}) == 1
    assert len(stores[0].list(account="acme")) == 1


def test_concurrent_redeliveries_of_an_event_apply_it_once(stores):
    req = stores[0].open("acme", title="Down", priority="P2", submitted_by="U0ACME1", now=at(0))
    results = race(
        THREADS,
        lambda i: stores[i].apply(req.id, Event("update_posted", "U0AGENT1", at(1)), idempotency_key="Ev9"),
    )
    assert all(not isinstance(r, Exception) for r in results)
    assert {r.version for r in results} == {2}
    assert stores[0].get(req.id).version == 2
