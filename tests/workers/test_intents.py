"""Intents left by an earlier version's workers (the notices of a change, saved before the
change): finished when the history has the change, whatever the alarm's state, and
dropped when it does not."""

from __future__ import annotations

import json

from slackops.workers import intents
from slackops.workers.alarms import AlarmRef, plan_notices

from slackops.requests import Event

from .conftest import SHARED, carried, utcnow


def _intent(h, req, kind: str) -> tuple[str, list]:
    """What such a worker saved for ``req``'s due ``kind`` alarm."""
    [cp] = [c for c in h.store.timeline(req, utcnow()) if c.key == kind]
    member = f"{req.id}|{kind}|due"
    ref = AlarmRef(req.id, kind, kind, "due", cp.due_at.timestamp(), member)
    notices, event = plan_notices(h.ctx, h.store.policy(req.policy), req, cp, ref, utcnow())
    h.redis.set(f"{h.ctx.prefix}:w:acted:{member}",
                json.dumps({"notices": [n.__dict__ for n in notices], "event": event}))
    return member, notices


def test_an_applied_change_gets_its_notices_and_an_unapplied_one_is_dropped(harness, fake_slack):
    h = harness
    done = h.store.open("acme", title="down", priority="P1", submitted_by="U0ACME1", now=utcnow())
    h.card(done)
    done = h.store.get(done.id)
    member, owed = _intent(h, done, "critical_notice")
    # the change was applied (by the worker that then died): the alarm went with it
    h.store.apply(done.id, Event(type="critical_notice_sent", actor="system", at=utcnow(),
                                 data={"text": "x", "by": "policy"}), idempotency_key=f"w:{member}")
    # and the request was resolved since: the history says the notice was sent, so it is owed
    h.store.apply(done.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))
    assert not [m for m in h.redis.zrange(h.store.keys.deadlines, 0, -1) if m.decode() == member]
    never = h.store.open("acme", title="also down", priority="P1", submitted_by="U0ACME1", now=utcnow())
    h.card(never)
    never_member, _ = _intent(h, h.store.get(never.id), "critical_notice")
    h.store.apply(never.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))

    assert intents.redrive(h.ctx) == {"queued": 1, "dropped": 1}
    assert intents.redrive(h.ctx) == {"queued": 0, "dropped": 0}  # nothing left
    h.ctx.outbox.drain(timeout=10)
    sent = set(carried(fake_slack))
    assert {n.id for n in owed} <= sent
    assert f"{done.id}|critical_notice|due|{SHARED}" in sent
    assert not [i for i in sent if i.startswith(never_member)]
    assert [e.type for e in h.store.history(never.id)].count("critical_notice_sent") == 0
