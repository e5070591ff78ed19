"""The outbox: exactly once to Slack through 429s, 5xx, timeouts and a crash mid-post."""

from __future__ import annotations

import time

from slackops.notices.notice import Notice
from slackops.notices.outbox import EVENT_TYPE, Outbox, make_client


def outbox(redis, fake, ns, **kw) -> Outbox:
    kw.setdefault("interval", 0.2)
    kw.setdefault("lease_seconds", 5)
    return Outbox(redis, make_client("xoxb-test", fake.url, timeout=kw.pop("timeout", 10)), ns, **kw)


def note(i: int, dest: str = "C0URGENT", **kw) -> Notice:
    return Notice(id=f"ACME-{i}|first_response|due|{dest}", dest=dest, text=f"ACME-{i} breached",
                  line=f"ACME-{i} first response overdue", due_at=time.time(), request_id=f"ACME-{i}", **kw)


def ids_posted(fake, channel=None):
    out = []
    for m in fake.messages(channel):
        md = m.get("metadata") or {}
        if md.get("event_type") == EVENT_TYPE:
            out.append(md["event_payload"]["notice_id"])
    return out


def test_one_notice_posted_once_with_metadata(redis, namespace, fake_slack):
    ob = outbox(redis, fake_slack, namespace)
    n = note(1)
    assert ob.add(n) is True
    assert ob.add(n) is False  # same id: nothing new
    ob.drain(timeout=10)
    assert ids_posted(fake_slack, "C0URGENT") == [n.id]
    assert ob.state(n.id)["state"] == "sent"
    ob.add(n)
    ob.drain(timeout=5)
    assert len(fake_slack.messages("C0URGENT")) == 1


def test_add_many_loads_its_script_on_a_server_that_has_not_seen_it(redis, namespace, fake_slack):
    """add_many sends EVALSHA in one pipeline; a server without the script (new, restarted)
    answers NOSCRIPT to all of it: the script is loaded and the notices queued once."""
    import uuid

    import slackops.notices.outbox as delivery

    ob = outbox(redis, fake_slack, namespace)
    # The same script under a comment no server has seen: its SHA is new (no SCRIPT FLUSH
    # on a server that may not be ours).
    ob._add = redis.register_script(delivery._ADD + f"\n-- {uuid.uuid4().hex}\n")
    assert not redis.script_exists(ob._add.sha)[0]
    assert ob.add_many([note(1), note(2), note(1)]) == 2
    assert redis.script_exists(ob._add.sha)[0]
    assert ob.add_many([note(1), note(3)]) == 1
    ob.drain(timeout=10)
    assert [ob.state(note(i).id)["state"] for i in (1, 2, 3)] == ["sent"] * 3
    assert ob.add_many([note(1), note(2), note(3)]) == 0


def test_backlog_for_a_channel_is_folded_into_one_digest_listing_all(redis, namespace, fake_slack):
    ob = outbox(redis, fake_slack, namespace, max_digest=50)
    notes = [note(i) for i in range(120)]
    for n in notes:
        ob.add(n)
    ob.drain(timeout=20)
    msgs = fake_slack.messages("C0URGENT")
    assert len(msgs) == 3  # 50 + 50 + 20
    text = "\n".join(b["text"]["text"] for m in msgs for b in m["blocks"] if b["type"] == "section")
    for i in range(120):
        assert f"ACME-{i} first response overdue" in text
    assert all(ob.state(n.id)["state"] == "sent" for n in notes)


def test_thread_replies_are_never_folded(redis, namespace, fake_slack):
    root = make_client("xoxb-test", fake_slack.url).chat_postMessage(channel="C0SHARED", text="card")["ts"]
    ob = outbox(redis, fake_slack, namespace)
    for i in range(3):
        ob.add(note(i, dest="C0SHARED", thread_ts=root, digestible=False))
    ob.drain(timeout=10)
    replies = fake_slack.messages("C0SHARED", thread_ts=root)
    assert len(replies) == 3
    posts = fake_slack.calls_to("chat.postMessage")[1:]
    gaps = [b.at - a.at for a, b in zip(posts, posts[1:], strict=False)]
    assert all(g >= 0.18 for g in gaps)  # paced at the outbox's interval (0.2 s here)


def test_429_waits_retry_after_and_posts_once(redis, namespace, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    ob = outbox(redis, fake_slack, namespace)
    n = note(7)
    ob.add(n)
    ob.drain(timeout=20)
    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 429, 200]
    assert calls[1].at - calls[0].at >= 0.9 and calls[2].at - calls[1].at >= 0.9
    assert ids_posted(fake_slack) == [n.id]


def test_5xx_retries_and_posts_once(redis, namespace, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=500, times=2)
    fake_slack.fail_next("chat.postMessage", status=503)
    ob = outbox(redis, fake_slack, namespace)
    n = note(8)
    ob.add(n)
    ob.drain(timeout=30)
    assert ids_posted(fake_slack) == [n.id]


def test_timeout_whose_post_landed_is_not_posted_again(redis, namespace, fake_slack):
    # the fake answers after 2 s, the client gives up after 1 s: the post lands anyway
    fake_slack.fail_next("chat.postMessage", status="timeout", delay=2)
    ob = outbox(redis, fake_slack, namespace, timeout=1, timeout_settle=2.5)
    n = note(9)
    ob.add(n)
    ob.drain(timeout=30)
    assert ids_posted(fake_slack) == [n.id]
    assert len(fake_slack.calls_to("conversations.history")) >= 1
    assert ob.state(n.id)["state"] == "sent"


def test_worker_died_between_post_and_record_is_reconciled(redis, namespace, fake_slack):
    """The state a SIGKILL after chat.postMessage leaves: intent, a message in Slack, no outcome."""
    ob = outbox(redis, fake_slack, namespace)
    make_client("xoxb-test", fake_slack.url).chat_postMessage(channel="C0URGENT", text="older")
    n = note(10)
    ob.add(n)
    token = "dead-worker"
    redis.set(ob._lease("C0URGENT"), token, px=5000)
    assert ob._next_batch("C0URGENT", token, time.time())
    redis.hset(ob._inflight("C0URGENT"), "maybe_posted", "1")
    make_client("xoxb-test", fake_slack.url).chat_postMessage(
        channel="C0URGENT", text=n.text, metadata={"event_type": EVENT_TYPE, "event_payload": {"notice_id": n.id}})
    redis.delete(ob._lease("C0URGENT"))  # the lease expired with the worker
    other = outbox(redis, fake_slack, namespace)
    other.drain(timeout=10)
    assert ids_posted(fake_slack, "C0URGENT").count(n.id) == 1
    assert other.state(n.id)["state"] == "sent"


def test_worker_died_before_post_posts_it(redis, namespace, fake_slack):
    ob = outbox(redis, fake_slack, namespace)
    n = note(11)
    ob.add(n)
    redis.set(ob._lease("C0URGENT"), "x", px=5000)
    assert ob._next_batch("C0URGENT", "x", time.time()) is True
    redis.hset(ob._inflight("C0URGENT"), "maybe_posted", "1")
    redis.delete(ob._lease("C0URGENT"))
    outbox(redis, fake_slack, namespace).drain(timeout=10)
    assert ids_posted(fake_slack, "C0URGENT") == [n.id]


def test_dm_to_a_user_opens_the_conversation(redis, namespace, fake_slack):
    ob = outbox(redis, fake_slack, namespace)
    n = note(12, dest="U0MGR1")
    ob.add(n)
    ob.drain(timeout=10)
    assert ids_posted(fake_slack, "D0MGR1") == [n.id]


def test_permanent_error_is_kept_not_dropped(redis, namespace, fake_slack):
    ob = outbox(redis, fake_slack, namespace)
    n = Notice(id="x|y|due|C1", dest="C1", text="", blocks=[])  # no text: Slack refuses
    ob.add(n)
    ob.drain(timeout=10)
    assert ob.failed()[0]["ids"] == [n.id]
    assert ob.state(n.id)["state"].startswith("failed")


def test_foldable_notices_behind_a_long_backlog_of_thread_replies_are_still_folded(redis, namespace, fake_slack):
    """Whether a digest is due is read from the foldable notices alone, however many thread
    replies (which always go one by one) wait ahead of them."""
    ob = outbox(redis, fake_slack, namespace, interval=0.0)
    root = make_client("xoxb-test", fake_slack.url).chat_postMessage(channel="C0SHARED", text="a card")["ts"]
    replies = [Notice(id=f"reply-{i:03d}", dest="C0SHARED", text=f"reply {i}", thread_ts=root,
                      digestible=False, due_at=1000.0 + i) for i in range(600)]
    ob.add_many(replies, now=2000.0)
    ob.add_many([note(i, dest="C0SHARED") for i in range(3)], now=3000.0)
    ob.flush("C0SHARED")
    top = [m for m in fake_slack.messages("C0SHARED") if m["ts"] != root and m.get("thread_ts") in (None, m["ts"])]
    assert len(top) == 1  # the three foldable notices, in one digest, ahead of the backlog
    assert sorted(top[0]["metadata"]["event_payload"]["notice_ids"]) == sorted(note(i, dest="C0SHARED").id for i in range(3))
    # then the replies, one message each, oldest first
    thread = [m for m in fake_slack.messages("C0SHARED", thread_ts=root) if m["ts"] != root]
    assert [m["metadata"]["event_payload"]["notice_id"] for m in thread] == [r.id for r in replies]
