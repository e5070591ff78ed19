"""The publisher: the Slack app's changes, read from the store's history, reach Slack
exactly once through the outbox, whichever line a publisher dies at."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from slackops.workers.publisher import Publisher

from slackops.notices.outbox import EVENT_TYPE, Outbox, make_client
from slackops.requests import Event, RequestStore

from .conftest import SHARED


class Killed(BaseException):
    """The process dies here (not an Exception: nothing in the publisher may catch it)."""


class DyingPublisher(Publisher):
    def __init__(self, *a, die: str, **kw) -> None:
        super().__init__(*a, **kw)
        self.die = die

    def handle(self, stream, eid, fields, refresh):
        if self.die == "before queuing":
            raise Killed
        finished = super().handle(stream, eid, fields, refresh)
        if self.die == "after queuing":
            raise Killed  # the outbox has the notices; the entry was never acknowledged
        return finished


def delivered(fake) -> Counter:
    seen: Counter = Counter()
    for channel in list(fake._messages):
        for m in fake.messages(channel):
            md = m.get("metadata") or {}
            if md.get("event_type") == EVENT_TYPE:
                p = md["event_payload"]
                for nid in p.get("notice_ids") or [p["notice_id"]]:
                    seen[nid] += 1
    return seen


@pytest.fixture
def parts(redis, namespace, fake_slack, config):
    store = RequestStore(redis, config, prefix=namespace)
    client = make_client("xoxb-test", fake_slack.url, timeout=5)
    outbox = Outbox(redis, client, namespace, interval=0.0)

    def publisher(cls=Publisher, **kw) -> Publisher:
        p = cls(redis, store, config, client, outbox, block=0.05, retry_every=0.05, **kw)
        outbox.after_sent = p.card_posted
        return p

    publisher().ensure_groups()  # as the app does when it starts
    return store, outbox, publisher


def now() -> datetime:
    return datetime.now(UTC)


def settle(p: Publisher, outbox: Outbox, timeout: float = 30.0) -> None:
    """Publish and post until nothing is left: a reply waits for its card, the card for the outbox."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        p.step(block=0)
        outbox.drain(timeout=10)
        if not p._awaiting and not p.pending() and not outbox.pending():
            return
        time.sleep(0.02)
    raise AssertionError("the publisher and the outbox did not settle")


def texts_in_thread(fake, req) -> list[str]:
    return [m.get("text", "") for m in fake.messages(req.card_channel or req.channel, thread_ts=req.card_ts)
            if m.get("ts") != req.card_ts]


@pytest.mark.parametrize("die", ["before queuing", "after queuing"])
def test_a_dead_publishers_entries_are_published_once_by_another(parts, fake_slack, die):
    store, outbox, publisher = parts
    reqs = [store.open("acme", title=f"Export {i} fails", priority="P3", submitted_by="U0ACME1", now=now())
            for i in range(3)]
    store.apply(reqs[0].id, Event("acknowledged", "U0AGENT1", now()))

    with pytest.raises(Killed):
        publisher(DyingPublisher, die=die, claim_idle=60).step(block=0)
    # nothing acknowledged: every entry is still pending
    assert publisher().pending() == 4

    survivor = publisher(claim_idle=0.2)
    time.sleep(0.3)  # the dead one's entries have been idle long enough to be claimed
    settle(survivor, outbox)  # the acceptance waits for the card

    assert survivor.pending() == 0
    counts = delivered(fake_slack)
    assert {k: v for k, v in counts.items() if v > 1} == {}
    for r in reqs:
        assert counts[f"card|{r.id}"] == 1
    first = store.get(reqs[0].id)
    assert first.card_ts and first.card_ts == fake_slack.messages(SHARED)[0]["ts"]
    thread = texts_in_thread(fake_slack, first)
    assert sum(f"received *{first.id}*" in t for t in thread) == 1
    assert sum("accepted" in t.lower() for t in thread) == 1, thread
    for r in reqs[1:]:
        assert sum(f"received *{r.id}*" in t for t in texts_in_thread(fake_slack, store.get(r.id))) == 1


def test_replies_queued_before_the_card_go_in_its_thread(parts, fake_slack):
    store, outbox, publisher = parts
    req = store.open("acme", title="Exports fail", priority="P3", submitted_by="U0ACME1", now=now())
    store.apply(req.id, Event("info_requested", "U0AGENT1", now(), data={"question": "Which <!channel> export?"}))
    settle(publisher(), outbox)
    req = store.get(req.id)
    top = [m for m in fake_slack.messages(SHARED) if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")]
    assert [m["ts"] for m in top] == [req.card_ts]  # one card, and every reply under it
    thread = texts_in_thread(fake_slack, req)
    # asking the customer accepts the request: the acknowledgement comes first
    assert len(thread) == 3 and "received" in thread[0] and "accepted by <@U0AGENT1>" in thread[1]
    asked = fake_slack.messages(SHARED, thread_ts=req.card_ts)[-1]
    assert "&lt;!channel&gt;" in str(asked["blocks"]) and "<!channel>" not in str(asked["blocks"])


def test_the_ticketed_message_gets_a_link_once_the_card_is_posted_even_if_the_hook_was_lost(parts, fake_slack):
    store, outbox, publisher = parts
    source = make_client("xoxb-test", fake_slack.url).chat_postMessage(channel=SHARED, text="our exports fail")["ts"]
    req = store.open("acme", title="our exports fail", priority="P3", submitted_by="U0ACME1", now=now(),
                     source="reaction", fields={"source_ts": source})
    p = publisher()
    outbox.after_sent = None  # the process died between posting the card and remembering where
    p.step(block=0)
    assert p._awaiting, "the submitted entry waits for its card"
    outbox.drain(timeout=10)
    assert store.get(req.id).card_ts is None
    p.drain(timeout=5)  # repaired from the card notice's record
    outbox.drain(timeout=10)
    req = store.get(req.id)
    assert req.card_ts
    replies = [m for m in fake_slack.messages(SHARED, thread_ts=source) if m["ts"] != source]
    assert len(replies) == 1 and req.id in replies[0]["text"]
    assert req.card_ts.replace(".", "") in replies[0]["text"]  # the card's permalink
    assert p.pending() == 0


def test_events_the_workers_record_are_left_to_them(parts, fake_slack):
    store, outbox, publisher = parts
    req = store.open("acme", title="Down", priority="P3", submitted_by="U0ACME1", now=now())
    p = publisher()
    settle(p, outbox)
    before = len(fake_slack.messages(SHARED, thread_ts=store.get(req.id).card_ts))
    store.apply(req.id, Event("reclassified", "system", now(), data={"to": "P1", "reason": "no answer in 2 hours"}))
    settle(p, outbox)
    assert p.pending() == 0
    assert len(fake_slack.messages(SHARED, thread_ts=store.get(req.id).card_ts)) == before


def test_a_redelivered_change_says_nothing_again(parts, fake_slack):
    store, outbox, publisher = parts
    req = store.open("acme", title="Exports fail", priority="P3", submitted_by="U0ACME1", now=now())
    for _ in range(3):  # Slack redelivers the same view submission
        store.apply(req.id, Event("acknowledged", "U0AGENT1", now()), idempotency_key="view:V123")
    p = publisher()
    settle(p, outbox)
    thread = texts_in_thread(fake_slack, store.get(req.id))
    assert sum("accepted" in t.lower() for t in thread) == 1


def cards_posted(fake) -> Counter:
    return Counter(nid for nid, n in delivered(fake).items() for _ in range(n)
                   if nid.startswith(("card|", "triage|")))


def test_both_cards_posted_each_once_with_the_agents_card_linking_to_the_thread(parts, fake_slack, redis):
    store, outbox, publisher = parts
    req = store.open("acme", title="Exports fail", priority="P3", submitted_by="U0ACME1", now=now())
    p = publisher()
    settle(p, outbox)
    req = store.get(req.id)
    assert cards_posted(fake_slack) == {f"card|{req.id}": 1, f"triage|{req.id}": 1}
    assert req.triage_channel == "C0NORMAL"  # the priority's channel (rank 3)
    agents = fake_slack.message("C0NORMAL", req.triage_ts)
    assert f"C0ACMESHARED/p{req.card_ts.replace('.', '')}" in str(agents["blocks"])
    assert "req_take" in str(agents["blocks"]) and "req_take" not in str(fake_slack.message(SHARED, req.card_ts))
    # a change re-renders both from the same request
    store.apply(req.id, Event("assigned", "U0AGENT1", now(), data={"assignee": "U0AGENT1"}))
    p.drain()
    updates = [c.params for c in fake_slack.calls_to("chat.update")]
    assert {(u["channel"], u["ts"]) for u in updates} == {(SHARED, req.card_ts), ("C0NORMAL", req.triage_ts)}
    for u in updates:
        assert "<@U0AGENT1>" in str(u["blocks"])
    assert store.find_by_triage_card("C0NORMAL", req.triage_ts) == req.id
    assert store.find_by_card("C0NORMAL", req.triage_ts) is None  # not the customer's thread
    # a stale request's two cards cost two chat.update calls: the next slot waits twice as long
    before = len(fake_slack.calls_to("chat.update"))
    p.mark_stale([req.id])
    assert p.refresh_stale() == req.id
    assert len(fake_slack.calls_to("chat.update")) == before + 2
    assert redis.pttl(f"{store.keys.prefix}:w:cards:stale:slot") > 1200


@pytest.mark.parametrize("where", ["before queuing it", "hook lost after posting it"])
def test_killed_between_the_two_cards_each_card_once(parts, fake_slack, where):
    store, outbox, publisher = parts
    reqs = [store.open("acme", title=f"Export {i} fails", priority="P3", submitted_by="U0ACME1", now=now())
            for i in range(2)]
    first = publisher(claim_idle=60)
    if where == "before queuing it":
        # the process dies in the outbox's after-sent hook of the first customer card: the
        # store knows the card, the agents' card was never queued
        def dying(ids, channel, ts):
            for nid in ids:
                if nid.startswith("card|"):
                    store.set_card(nid[len("card|"):], channel, ts)
                    raise Killed

        dead = Outbox(store.redis, outbox.client, store.keys.prefix, interval=0.0, lease_seconds=1,
                      after_sent=dying)
        first.step(block=0)
        with pytest.raises(Killed):
            dead.drain(timeout=20)
        assert not any(n.startswith("triage|") for n in delivered(fake_slack))
        assert first.pending() == 2  # the submitted entries were never acknowledged
        time.sleep(1.1)  # the dead outbox's lease on the shared channel runs out
    else:
        first.step(block=0)  # the customer cards (and their "received" notices) are queued
        outbox.after_sent = None  # the process dies after each post, before remembering where
        outbox.drain(timeout=20)
        first.step(block=0)  # the agents' cards are queued (the customer cards' places repaired)
        outbox.drain(timeout=20)
        assert all(store.get(r.id).triage_ts is None for r in reqs)
        for r in reqs:  # the next change finds them from the notices' records
            store.apply(r.id, Event("acknowledged", "U0AGENT1", now()))
        outbox.after_sent = first.card_posted

    survivor = publisher(claim_idle=0.2)
    time.sleep(0.3)
    settle(survivor, outbox)
    assert survivor.pending() == 0
    counts = cards_posted(fake_slack)
    assert counts == {f"{kind}|{r.id}": 1 for r in reqs for kind in ("card", "triage")}
    assert {k: v for k, v in delivered(fake_slack).items() if v > 1} == {}
    for r in reqs:
        r = store.get(r.id)
        assert r.triage_ts and fake_slack.message("C0NORMAL", r.triage_ts) is not None  # its place is known
        assert store.find_by_triage_card("C0NORMAL", r.triage_ts) == r.id
        assert sum(f"received *{r.id}*" in t for t in texts_in_thread(fake_slack, r)) == 1
    if where != "before queuing it":  # and both were re-rendered for the acceptance
        updated = {(c.params["channel"], c.params["ts"]) for c in fake_slack.calls_to("chat.update")}
        assert {("C0NORMAL", store.get(r.id).triage_ts) for r in reqs} <= updated


def test_shared_mode_posts_one_card(redis, namespace, fake_slack, config):
    shared = config.model_copy(update={"agent_controls": "shared"})
    store = RequestStore(redis, shared, prefix=namespace)
    client = make_client("xoxb-test", fake_slack.url, timeout=5)
    outbox = Outbox(redis, client, namespace, interval=0.0)
    p = Publisher(redis, store, shared, client, outbox, block=0.05, retry_every=0.05)
    outbox.after_sent = p.card_posted
    p.ensure_groups()
    req = store.open("acme", title="Exports fail", priority="P3", submitted_by="U0ACME1", now=now())
    settle(p, outbox)
    assert cards_posted(fake_slack) == {f"card|{req.id}": 1}
    card = fake_slack.message(SHARED, store.get(req.id).card_ts)
    assert "req_take" in str(card["blocks"]) and "req_add_info" in str(card["blocks"])
    assert store.get(req.id).triage_ts is None and p.pending() == 0


def test_the_first_response_is_the_acknowledgement_reaching_the_customer(parts, fake_slack):
    store, outbox, publisher = parts
    opened = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    req = store.open("acme", title="Exports fail", priority="P4", submitted_by="U0ACME1", now=opened)  # 1 h
    store.apply(req.id, Event("assigned", "U0AGENT1", opened + timedelta(minutes=1), data={"assignee": "U0AGENT1"}))
    # pressing Take is not a response: the customer has not been told yet
    assert store.get(req.id).acknowledged_at == opened + timedelta(minutes=1)
    assert store.get(req.id).first_response_at is None
    sent_at = opened + timedelta(minutes=7)  # the acknowledgement goes out later (a backlog, Slack slow)
    settle(publisher(clock=lambda: sent_at), outbox)
    req = store.get(req.id)
    assert any("accepted by <@U0AGENT1>" in t for t in texts_in_thread(fake_slack, req))
    assert req.first_response_at == sent_at
    fr = next(c for c in store.timeline(req, sent_at) if c.kind == "first_response")
    assert fr.state == "met" and fr.met_at == sent_at
    # recorded once: a second delivery of the hook changes nothing
    publisher(clock=lambda: sent_at + timedelta(hours=1)).card_posted(
        [n for n in delivered(fake_slack) if n.endswith("|accepted")], SHARED, "1.0")
    assert store.get(req.id).first_response_at == sent_at


def test_an_agents_reply_before_the_acknowledgement_stays_the_first_response(parts, fake_slack):
    store, outbox, publisher = parts
    opened = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    req = store.open("acme", title="Exports fail", priority="P4", submitted_by="U0ACME1", now=opened)  # 1 h
    store.apply(req.id, Event("first_response", "U0AGENT2", opened + timedelta(minutes=2), data={"ts": "9.9"}))
    store.apply(req.id, Event("acknowledged", "U0AGENT1", opened + timedelta(minutes=3)))
    settle(publisher(clock=lambda: opened + timedelta(minutes=9)), outbox)
    assert store.get(req.id).first_response_at == opened + timedelta(minutes=2)
