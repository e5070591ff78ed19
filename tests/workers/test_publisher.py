"""The publisher: the Slack app's changes, read from the store's history, reach Slack
exactly once through the outbox, whichever line a publisher dies at."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

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
    survivor.drain(timeout=10)
    outbox.drain(timeout=20)
    survivor.drain(timeout=10)  # the acceptance waited for the card
    outbox.drain(timeout=20)

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
    publisher().drain()
    outbox.drain(timeout=10)
    req = store.get(req.id)
    top = [m for m in fake_slack.messages(SHARED) if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")]
    assert [m["ts"] for m in top] == [req.card_ts]  # one card, and every reply under it
    thread = texts_in_thread(fake_slack, req)
    assert len(thread) == 2 and "received" in thread[0]
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
    p.drain()
    outbox.drain(timeout=10)
    before = len(fake_slack.messages(SHARED, thread_ts=store.get(req.id).card_ts))
    store.apply(req.id, Event("reclassified", "system", now(), data={"to": "P1", "reason": "no answer in 2 hours"}))
    p.drain()
    outbox.drain(timeout=10)
    assert p.pending() == 0
    assert len(fake_slack.messages(SHARED, thread_ts=store.get(req.id).card_ts)) == before


def test_a_redelivered_change_says_nothing_again(parts, fake_slack):
    store, outbox, publisher = parts
    req = store.open("acme", title="Exports fail", priority="P3", submitted_by="U0ACME1", now=now())
    for _ in range(3):  # Slack redelivers the same view submission
        store.apply(req.id, Event("acknowledged", "U0AGENT1", now()), idempotency_key="view:V123")
    p = publisher()
    p.drain()
    outbox.drain(timeout=10)
    thread = texts_in_thread(fake_slack, store.get(req.id))
    assert sum("accepted" in t.lower() for t in thread) == 1
