"""Maintenance stages as outgoing events: scheduled, started, ended (reminders are not
events), each once, per affected account, in order."""

from __future__ import annotations

from datetime import timedelta

from slackops.config import Webhook
from slackops.notices.webhooks import Webhooks
from slackops.operations.clock import OpsClock
from slackops.operations.records import MaintenanceBook
from tests.operations.conftest import NOW
from tests.workers.receiver import Receiver

H = timedelta(hours=1)
D = timedelta(days=1)


def test_maintenance_stages_are_events_once_each(desk):
    receiver = Receiver("s").start()
    try:
        hooks = Webhooks(desk.store.redis, [Webhook(url=receiver.url, secret_env="HOOK_SECRET")],
                         desk.store.keys.prefix, env={"HOOK_SECRET": "s"})
        ops = OpsClock(desk.store.redis, desk.config, desk.store, desk.outbox, desk.store.keys.prefix, webhooks=hooks)
        book = MaintenanceBook(desk.store.redis, desk.config, desk.store.policy, desk.store.keys.prefix)
        start = NOW + 8 * D
        m = book.add(start=start, end=start + 3 * H, now=NOW, accounts=["acme"], note="Database upgrade")
        for t in (NOW, start - 24 * H, start - H, start, start + 3 * H, start + D):
            ops.tick(t)
            ops.tick(t)  # a second worker: nothing new
        hooks.drain(10)
        events = receiver.events()
        assert [(e["type"], e["account"]["id"]) for e in events] == [
            ("maintenance.scheduled", "acme"), ("maintenance.started", "acme"), ("maintenance.ended", "acme")]
        assert len(receiver.received) == 3 and all(r.signed for r in receiver.received)
        assert events[0]["maintenance"]["id"] == m.id and events[0]["maintenance"]["note"] == "Database upgrade"
        assert events[1]["time"] < events[2]["time"]
        from tests.workers.schemas import problems, schema

        assert [problems(e, schema(e["type"])) for e in events] == [[], [], []]
    finally:
        receiver.stop()
