"""A resolved request its customer never confirms: a reminder in its thread, once, then it
closes by itself, and the customer is told; a confirmation or a reopening in between
stops both, and a second resolution gets its own pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from slackops.config import Config
from slackops.requests import Event

from .conftest import POLICY, SHARED, Harness, notices, utcnow

CLOSE_AFTER = 4.0  # seconds
REMIND_BEFORE = 2.0


@pytest.fixture
def closing_config(tmp_path: Path) -> Config:
    p = tmp_path / "closing.yml"
    p.write_text(POLICY + f"intake:\n  close_unconfirmed_after: {CLOSE_AFTER:g} seconds\n"
                          f"  remind_unconfirmed_before: {REMIND_BEFORE:g} seconds\n")
    return Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "channels": {3: "C0NORMAL"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(p), "contacts": ["U0ACME1"]}],
    })


@pytest.fixture
def desk(redis, closing_config, fake_slack, namespace):
    h = Harness(redis, closing_config, fake_slack, namespace)
    h.ctx.publisher.ensure_groups()
    try:
        yield h
    finally:
        h.stop()


def run(h: Harness, done, timeout: float = 20.0) -> bool:
    def step() -> bool:
        h.ctx.publisher.step(block=0)
        return done()
    return h.run_until(step, timeout)


def resolved(h: Harness) -> tuple[str, str]:
    req = h.store.open("acme", title="Reports are empty", priority="P3", submitted_by="U0ACME1", now=utcnow())
    ts = h.card(req)
    h.store.apply(req.id, Event("assigned", "U0AGENT1", utcnow()))
    h.store.apply(req.id, Event("resolved", "U0AGENT1", utcnow(), {"resolution": "fix"}))
    return req.id, ts


def thread_texts(h: Harness, ts: str) -> list[str]:
    return [m.get("text", "") for m in h.fake.messages(SHARED, ts)]


def test_an_unconfirmed_resolution_is_reminded_once_then_closed_by_the_policy(desk):
    rid, ts = resolved(desk)
    resolved_at = desk.store.get(rid).resolved_at
    assert run(desk, lambda: desk.store.get(rid).status.value == "closed")
    req = desk.store.get(rid)
    took = (req.closed_at - resolved_at).total_seconds()
    assert CLOSE_AFTER - 0.01 <= took < CLOSE_AFTER + 10  # never early; late only by a busy machine
    closed = [e for e in desk.store.history(rid) if e.type == "closed"]
    assert len(closed) == 1 and closed[0].actor == "policy" and closed[0].data["unconfirmed"] is True
    assert "not confirmed within 4 seconds" in closed[0].data["reason"]
    assert run(desk, lambda: any("closed by itself" in t for t in thread_texts(desk, ts)))
    desk.run_for(1.0)  # anything doubled would land by now
    ours = [n["notice_id"] for n in notices(desk.fake, SHARED, ts) if "|unconfirmed:" in n["notice_id"]]
    assert len(ours) == 2 and ours[0].endswith("|warn:1|" + SHARED) and ours[1].endswith("|due|" + SHARED), ours
    reminders = [n for n in notices(desk.fake, SHARED, ts) if n["notice_id"] == ours[0]]
    r = reminders[0]
    assert "<@U0ACME1>" in r["text"] and "closes by itself" in r["text"]
    assert any(e.get("action_id") == "req_confirm_resolved" for b in r["blocks"] if b["type"] == "actions"
               for e in b["elements"])
    # the reminder came REMIND_BEFORE ahead of the close, not earlier
    sent = next(c.at for c in desk.fake.calls_to("chat.postMessage")
                if (c.params.get("metadata") or {}).get("event_payload", {}).get("notice_id") == r["notice_id"])
    assert sent >= resolved_at.timestamp() + CLOSE_AFTER - REMIND_BEFORE - 0.01
    texts = thread_texts(desk, ts)
    assert sum("closed by itself" in t for t in texts) == 1
    # the resolution notice told the customer when it would close
    resolved_msg = next(m for m in desk.fake.messages(SHARED, ts) if "resolved" in m.get("text", "")
                        and any("closes by itself" in str(b) for b in m.get("blocks", [])))
    assert "<!date^" in str(resolved_msg["blocks"])
    # and nothing is left in the deadline index
    assert not [m for m in desk.redis.zrange(desk.store.keys.deadlines, 0, -1) if m.decode().startswith(rid + "|")]


def test_a_confirmation_before_the_reminder_stops_both(desk):
    rid, ts = resolved(desk)
    desk.store.apply(rid, Event("closed", "U0ACME1", utcnow()))
    desk.run_for(CLOSE_AFTER + 1.5)
    desk.ctx.publisher.step(block=0)
    assert not [n for n in notices(desk.fake, SHARED, ts) if "|unconfirmed:" in n["notice_id"]]
    closed = [e for e in desk.store.history(rid) if e.type == "closed"]
    assert [e.actor for e in closed] == ["U0ACME1"]
    assert not any("closed by itself" in t for t in thread_texts(desk, ts))


def test_a_reopened_request_is_not_closed_and_its_next_resolution_gets_its_own_reminder(desk):
    rid, ts = resolved(desk)
    desk.store.apply(rid, Event("reopened", "U0AGENT1", utcnow(), {"reason": "still empty"}))
    desk.run_for(CLOSE_AFTER + 1.0)
    assert desk.store.get(rid).status.value == "in_progress"
    assert not [n for n in notices(desk.fake, SHARED, ts) if "|unconfirmed:" in n["notice_id"]]
    desk.store.apply(rid, Event("resolved", "U0AGENT1", utcnow(), {"resolution": "fix"}))
    assert run(desk, lambda: desk.store.get(rid).status.value == "closed")
    assert run(desk, lambda: len([n for n in notices(desk.fake, SHARED, ts) if "|unconfirmed:" in n["notice_id"]]) == 2)
