"""The request store against a real Redis: ids, state, history, indexes, deadlines, idempotency."""

from __future__ import annotations

import pytest

from slackops.requests import ConflictError, DomainError, Event, NotFound, RequestStore, Status
from slackops.requests.alarms import Alarm
from tests.requests.helpers import at, config


@pytest.fixture
def store(redis, namespace) -> RequestStore:
    return RequestStore(redis, config(), prefix=namespace)


def open_one(store: RequestStore, account: str = "acme", priority: str = "P2", minutes: float = 0, **kw):
    kw.setdefault("title", "Login fails")
    kw.setdefault("submitted_by", "U0ACME1")
    return store.open(account, priority=priority, now=at(minutes), **kw)


def ev(type_: str, actor: str = "U0AGENT1", minutes: float = 1, **data) -> Event:
    return Event(type_, actor, at(minutes), data)


def members(store: RequestStore, request_id: str) -> set[str]:
    raw = store.redis.zrange(store.keys.deadlines, 0, -1)
    return {m.decode().split("|", 1)[1] for m in raw if m.decode().startswith(request_id + "|")}


# --------------------------------------------------------------------------- ids and state


def test_ids_are_sequential_per_account_and_never_reused(store):
    ids = [open_one(store).id for _ in range(3)] + [open_one(store, "ixc", "S3").id, open_one(store).id]
    assert ids == ["ACME-1", "ACME-2", "ACME-3", "IXC-1", "ACME-4"]
    store.apply("ACME-4", ev("resolved"))
    store.apply("ACME-4", ev("closed", minutes=2))
    assert open_one(store).id == "ACME-5"


def test_open_stores_everything_and_get_reads_it_back(store):
    req = open_one(
        store, priority="p1", description="Nobody can log in", source="shortcut",
        fields={"impact": "all users", "environment": "prod", "source_ts": "1.2", "justification": "outage"},
    )
    got = store.get(req.id)
    assert got == req
    assert (got.priority, got.status, got.version, got.channel) == ("P1", Status.submitted, 1, "C0ACME")
    assert (got.policy, got.calendar, got.language, got.source) == ("comensure", "default", "en", "shortcut")
    assert got.fields["impact"] == "all users" and got.submitted_at == at(0)
    assert store.get("acme-1") == req  # ids are not case-sensitive


def test_open_uses_the_account_language_and_a_chosen_calendar(store):
    zen = open_one(store, "zen", "P3")
    assert zen.language == "it" and zen.policy == "interzen"
    act = open_one(store, "act", "S2", fields={"calendar": "us"})
    assert act.calendar == "us"
    assert open_one(store, "act", "S2").calendar == "kr"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"account": "nobody"}, "'nobody' is not an account (known: acme, ixc, zen, opi, act)"),
        ({"priority": "P9"}, "'P9' is not a priority of comensure (use one of P1, P2, P3)"),
        ({"fields": {"language": "it"}}, "comensure answers in en, not 'it'"),
        ({"fields": {"calendar": "mars"}}, "'mars' is not a calendar of comensure"),
        ({"title": ""}, "a request needs a title"),
    ],
)
def test_open_refuses_with_a_plain_message(store, args, message):
    kw = {"account": "acme"} | args
    account = kw.pop("account")
    with pytest.raises(DomainError) as info:
        open_one(store, account, **kw)
    assert message in str(info.value)
    assert store.redis.get(store.keys.counter("acme")) is None  # a refusal spends no number


def test_unknown_and_malformed_ids(store):
    with pytest.raises(NotFound, match="there is no request ACME-7"):
        store.get("ACME-7")
    with pytest.raises(DomainError, match="'what' is not a request id"):
        store.get("what")
    with pytest.raises(NotFound):
        store.apply("ACME-7", ev("acknowledged"))


def test_apply_persists_and_history_says_who_when_why(store):
    req = open_one(store, priority="P1")
    store.apply(req.id, ev("assigned", "U0AGENT2", 1))
    after = store.apply(req.id, ev("reclassified", "U0AGENT2", 2, to="P2", reason="one user only"))
    assert after == store.get(req.id)
    assert (after.version, after.priority, after.assignee) == (3, "P2", "U0AGENT2")
    hist = store.history(req.id)
    assert [(e.type, e.actor, e.at) for e in hist] == [
        ("submitted", "U0ACME1", at(0)), ("assigned", "U0AGENT2", at(1)), ("reclassified", "U0AGENT2", at(2)),
    ]
    assert hist[2].data == {"to": "P2", "reason": "one user only", "from": "P1"}
    assert hist[1].data == {"assignee": "U0AGENT2", "accepted": True} and hist[2].reason == "one user only"
    assert all(e.id for e in hist)


def test_a_refused_event_changes_nothing(store):
    req = open_one(store)
    store.apply(req.id, ev("resolved"))
    with pytest.raises(DomainError, match="ACME-1 is already resolved"):
        store.apply(req.id, ev("resolved", minutes=2))
    assert store.get(req.id).version == 2 and len(store.history(req.id)) == 2


def test_expected_version(store):
    req = open_one(store)
    store.apply(req.id, ev("acknowledged"), expected_version=1)
    with pytest.raises(ConflictError) as info:
        store.apply(req.id, ev("assigned", minutes=2), expected_version=1)
    assert info.value.current.version == 2 and info.value.current.status is Status.acknowledged
    assert store.get(req.id).version == 2


def test_set_card_is_not_an_event(store):
    req = open_one(store)
    after = store.set_card(req.id, "C0ACME", "1700000000.000100")
    assert (after.card_ts, after.channel, after.version) == ("1700000000.000100", "C0ACME", 1)
    assert store.get(req.id).card_ts == "1700000000.000100" and len(store.history(req.id)) == 1
    store.apply(req.id, ev("acknowledged"), expected_version=1)


# --------------------------------------------------------------------------- indexes


def test_open_indexes_follow_the_request(store):
    a = open_one(store, priority="P1")
    b = open_one(store, priority="P2")
    c = open_one(store, "ixc", "S2")
    store.apply(a.id, ev("assigned", "U0AGENT1"))
    store.apply(c.id, ev("assigned", "U0AGENT1"))
    ids = lambda reqs: [r.id for r in reqs]  # noqa: E731
    assert ids(store.list()) == ["ACME-1", "ACME-2", "IXC-1"]
    assert ids(store.list(account="acme")) == ["ACME-1", "ACME-2"]
    assert ids(store.list(assignee="U0AGENT1")) == ["ACME-1", "IXC-1"]
    assert ids(store.list(assignee="U0AGENT1", account="ixc")) == ["IXC-1"]
    assert ids(store.list(priority="P1")) == ["ACME-1"]
    store.apply(a.id, ev("reclassified", minutes=2, to="P3", reason="minor"))
    assert ids(store.list(priority="P1")) == [] and ids(store.list(priority="P3")) == ["ACME-1"]
    store.apply(b.id, ev("resolved", minutes=3))
    assert ids(store.list(account="acme")) == ["ACME-1"]
    assert ids(store.list(account="acme", open_only=False)) == ["ACME-1", "ACME-2"]
    assert ids(store.list(open_only=False, priority="P2")) == ["ACME-2"]
    store.apply(b.id, ev("reopened", minutes=4, reason="back"))
    assert ids(store.list(account="acme")) == ["ACME-1", "ACME-2"]
    store.apply(a.id, ev("assigned", "U0AGENT2", 5, assignee="U0AGENT2", force=True))
    assert ids(store.list(assignee="U0AGENT1")) == ["IXC-1"] and ids(store.list(assignee="U0AGENT2")) == ["ACME-1"]
    with pytest.raises(DomainError, match="'mars' is not an account"):
        store.list(account="mars")


# --------------------------------------------------------------------------- deadlines


def test_alarms_follow_the_timeline(store):
    # Comensure P1 at Mon 10:00 New York: escalation level 1 at hour 0 (due at once),
    # first response, updates every 8 h, directors at hour 5, executives at hour 8.
    req = open_one(store, priority="P1")
    expected = set()
    for cp in store.timeline(req, at(0)):
        if cp.state == "pending":
            expected.add(f"{cp.key}|due")
            expected |= {f"{cp.key}|warn:{f:g}" for f in store.policy("comensure").priority("P1").warn_at[: len(cp.warn_at)]}
        elif cp.state == "breached":
            expected.add(f"{cp.key}|due")
    assert members(store, req.id) == expected
    assert "escalation:1|due" in expected and "escalation:3|due" in expected
    due = store.due(at(0))
    assert [(a.request_id, a.checkpoint_key, a.kind, a.alarm) for a in due] == [("ACME-1", "escalation:1", "escalation", "due")]
    # the store keeps them sorted by instant
    everything = store.due(at(60 * 24))
    assert [a.at for a in everything] == sorted(a.at for a in everything)
    # a resolved request has none of its timeline's alarms: only the pair that closes it by
    # itself, the reminder a day before and the close 7 days after, unless its customer confirms
    done = store.apply(req.id, ev("resolved", minutes=30))
    key = f"unconfirmed:{int(done.resolved_at.timestamp() * 1000)}"
    assert members(store, req.id) == {f"{key}|warn:1", f"{key}|due"}
    by_member = {a.member: a.at for a in store.due(at(60 * 24 * 8)) if a.request_id == req.id}
    assert by_member == {f"{req.id}|{key}|warn:1": at(30 + 60 * 24 * 6), f"{req.id}|{key}|due": at(30 + 60 * 24 * 7)}
    store.apply(req.id, ev("closed", "U0ACME1", minutes=40))  # the customer confirms
    assert members(store, req.id) == set()


def test_a_met_checkpoint_loses_its_alarms(store):
    req = open_one(store, priority="P3")
    assert "first_response|due" in members(store, req.id)
    store.apply(req.id, ev("first_response", minutes=10))
    assert not {m for m in members(store, req.id) if m.startswith("first_response")}


def test_a_breached_checkpoint_keeps_its_due_alarm_until_the_workers_handle_it(store):
    req = open_one(store, priority="P3")
    fr = next(cp for cp in store.timeline(req, at(0)) if cp.key == "first_response")
    late = (fr.due_at - at(0)).total_seconds() / 60 + 5
    store.apply(req.id, ev("update_posted", minutes=late))
    assert "first_response|due" in members(store, req.id)  # breached, not yet alarmed
    alarm = next(a for a in store.due(at(late)) if a.member == f"{req.id}|first_response|due")
    assert store.alarm_done(alarm) is True
    assert store.alarm_done(alarm) is False  # handled once
    store.apply(req.id, ev("update_posted", minutes=late + 1))
    assert "first_response|due" not in members(store, req.id)  # never alarmed twice


def test_warnings_are_alarms_with_their_fraction(store):
    req = open_one(store, priority="P3")
    fr = next(cp for cp in store.timeline(req, at(0)) if cp.key == "first_response")
    warn = next(a for a in store.due(fr.warn_at[0]) if a.request_id == req.id and a.alarm == "warn")
    assert (warn.checkpoint_key, warn.fraction, warn.at) == ("first_response", 0.75, fr.warn_at[0])
    assert warn.member == f"{req.id}|first_response|warn:0.75"


def test_alarm_done_ignores_an_alarm_that_moved(store):
    req = open_one(store, priority="P3")
    first = next(a for a in store.due(at(60 * 24 * 30)) if a.member == f"{req.id}|resolution|due")
    moved = Alarm(**{**first.__dict__, "at": at(-5)})
    assert store.alarm_done(moved) is False
    assert "resolution|due" in members(store, req.id)


def test_waiting_on_the_customer_moves_the_resolution_alarm(store):
    req = open_one(store, priority="P3")
    score = lambda: store.redis.zscore(store.keys.deadlines, f"{req.id}|resolution|due")  # noqa: E731
    before = score()
    store.apply(req.id, ev("info_requested", minutes=60, question="logs?"))
    store.apply(req.id, ev("info_provided", "U0ACME1", minutes=60 * 3, text="here"))
    assert score() > before


def test_closing_forgets_the_handled_alarms(store):
    req = open_one(store, priority="P1")
    store.alarm_done(store.due(at(0))[0])
    assert store.redis.exists(store.keys.alarms_done(req.id))
    store.apply(req.id, ev("resolved"))
    store.apply(req.id, ev("closed", minutes=2))
    assert not store.redis.exists(store.keys.alarms_done(req.id))


def test_due_soon(store):
    p3 = open_one(store, priority="P3")
    p1 = open_one(store, priority="P1")
    open_one(store, "ixc", "S4")
    store.apply(p3.id, ev("assigned", "U0AGENT2"))
    soon = store.due_soon(at(2), account="acme")
    assert [r.id for r, _cp in soon][:2] == [p1.id, p3.id]
    assert [cp.due_at for _r, cp in soon] == sorted(cp.due_at for _r, cp in soon)
    mine = store.due_soon(at(2), assignee="U0AGENT2")
    assert [r.id for r, _cp in mine] == [p3.id]
    assert len(store.due_soon(at(2), limit=1)) == 1


# --------------------------------------------------------------------------- idempotency


def test_a_redelivered_open_returns_the_same_request(store):
    a = open_one(store, idempotency_key="view-V123")
    b = open_one(store, idempotency_key="view-V123", title="changed")
    assert a == b and open_one(store).id == "ACME-2"
    assert len(store.history(a.id)) == 1


def test_a_redelivered_event_changes_nothing(store):
    req = open_one(store)
    first = store.apply(req.id, ev("update_posted"), idempotency_key="Ev0001")
    again = store.apply(req.id, ev("update_posted"), idempotency_key="Ev0001")
    assert first == again and store.get(req.id).version == 2
    assert [e.type for e in store.history(req.id)] == ["submitted", "update_posted"]
    other = store.apply(req.id, ev("update_posted", minutes=2), idempotency_key="Ev0002")
    assert other.version == 3


def test_first_delivery(store):
    assert store.first_delivery("Ev0001") is True
    assert store.first_delivery("Ev0001") is False
    assert store.first_delivery("Ev0002", ttl_seconds=60) is True
    assert 0 < store.redis.ttl(store.keys.delivery("Ev0002")) <= 60


def test_every_key_is_under_the_prefix(store, namespace, redis_server):
    req = open_one(store, priority="P1", idempotency_key="k")
    store.apply(req.id, ev("assigned"), idempotency_key="k2")
    store.alarm_done(store.due(at(0))[0])
    store.first_delivery("Ev1")
    # on our own embedded server every key is ours; on a shared REDIS_URL, only ours are named
    keys = [k.decode() for k in store.redis.scan_iter(match="*" if redis_server.embedded else f"*{namespace}*")]
    assert keys and all(k.startswith(f"{namespace}:") for k in keys), keys


def test_due_soon_for_everyone_reads_the_deadline_index(store):
    p3 = open_one(store, priority="P3")
    p1 = open_one(store, priority="P1")
    resolved = open_one(store, priority="P1")
    store.apply(resolved.id, ev("resolved"))
    soon = store.due_soon(at(2))
    assert [r.id for r, _cp in soon] == [p1.id, p3.id]


def test_a_stale_remembered_state_is_never_written_nor_refused_on(redis, namespace):
    # Two processes: each store remembers what it wrote last; the other one moves on.
    a = RequestStore(redis, config(), prefix=namespace)
    b = RequestStore(redis, config(), prefix=namespace)
    req = open_one(a)
    a.apply(req.id, ev("resolved"))
    b.apply(req.id, ev("reopened", minutes=2, reason="still broken"))  # a's memory is now stale
    after = a.apply(req.id, ev("update_posted", minutes=3))  # a would refuse on "resolved"
    assert after.version == 4 and after.status is Status.acknowledged
    a.apply(req.id, ev("assigned", "U0AGENT1", 4))
    with pytest.raises(DomainError, match="taken by <@U0AGENT1>"):
        b.apply(req.id, ev("assigned", "U0AGENT2", 5))
    assert [e.type for e in a.history(req.id)] == ["submitted", "resolved", "reopened", "update_posted", "assigned"]


def test_set_card_between_a_read_and_a_write_is_not_lost(redis, namespace):
    a = RequestStore(redis, config(), prefix=namespace)
    b = RequestStore(redis, config(), prefix=namespace)
    req = open_one(a)  # a remembers version 1
    b.set_card(req.id, "C0ACME", "1700000000.000200")  # no new version, but a new write
    after = a.apply(req.id, ev("acknowledged"), expected_version=1)
    assert (after.version, after.card_ts) == (2, "1700000000.000200")
    assert b.get(req.id).card_ts == "1700000000.000200"
