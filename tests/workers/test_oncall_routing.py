"""Escalation DMs of a role that is an on-call rotation go to the person on call when the
notice is planned, and say so; an override beats the rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from slackops.config import Config
from slackops.requests import Event

from .conftest import SHARED, Harness, notices, utcnow


def _local(dt) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M")


def _config(policy_file, overrides: list[dict]) -> Config:
    now = utcnow()
    return Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"],
        "managers": {"executives": ["U0EXEC1"], "directors": {
            # weekly, the second week began an hour ago: U0DIR2 is on call
            "rotation": "weekly", "start": _local(now - timedelta(days=7, hours=1)), "timezone": "UTC",
            "people": ["U0DIR1", "U0DIR2", "U0DIR3"], "overrides": overrides}},
        "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(policy_file),
                      "contacts": ["U0ACME1"]}],
    })


@pytest.mark.parametrize(("overrides", "expected"), [
    ([], "U0DIR2"),
    # the latest matching override wins over the rotation and over an earlier override
    ([{"user": "U0DIR1", "from": _local(utcnow() - timedelta(hours=2)), "to": _local(utcnow() + timedelta(hours=2))},
      {"user": "U0DIR3", "from": _local(utcnow() - timedelta(hours=1)), "to": _local(utcnow() + timedelta(hours=1))}],
     "U0DIR3"),
])
def test_the_person_on_call_gets_the_escalation_dm(redis, fake_slack, namespace, policy_file, overrides, expected):
    h = Harness(redis, _config(policy_file, overrides), fake_slack, namespace)
    try:
        now = utcnow()
        req = h.store.open("acme", title="Down", priority="P1", submitted_by="U0ACME1", now=now)
        h.store.apply(req.id, Event(type="assigned", actor="U0AGENT1", at=now, data={"assignee": "U0AGENT1"}))
        h.card(req)
        assert h.run_until(lambda: len(notices(fake_slack, "D" + expected[1:])) >= 1, timeout=10)
        h.run_for(0.5)
        dm = notices(fake_slack, "D" + expected[1:])
        assert len(dm) == 1 and dm[0]["notice_id"] == f"{req.id}|escalation:1|due|{expected}"
        assert "You are on call for directors (weekly rotation) until" in str(dm[0]["blocks"])
        others = {"U0DIR1", "U0DIR2", "U0DIR3"} - {expected}
        assert all(notices(fake_slack, "D" + u[1:]) == [] for u in others)
        [esc] = [e for e in h.store.history(req.id) if e.type == "escalated"]
        assert esc.data["notified"] == [expected]
    finally:
        h.stop()
