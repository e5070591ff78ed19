"""The customer's "Escalate to a manager" after the ladder escalated: it engages the policy's
customer-escalation managers first, a second press goes one level above the highest reached,
and the ladder does not DM again someone the customer's escalation told of that level."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slackops.config import Config
from slackops.slack.metadata import ViewMeta

from .conftest import Harness, utcnow
from .slackapp import App

POLICY = """\
name: ladderdesk
title: Ladder Desk
timezone: UTC
languages: [en]
calendars:
  default: {hours: 24x7}
intake:
  customer_escalation: {notify: [escalation_manager], next_level: true}
priorities:
  - id: P1
    label: Critical
    rank: 1
    definition: down
    targets:
      first_response: {duration: 1 hours}
    escalation:
      - {level: 1, after: 1 seconds, notify: [support]}
      - {level: 2, after: 2 seconds, notify: [directors]}
      - {level: 3, after: 10 seconds, notify: [executives, channel]}
"""
SHARED = "C0ACMESHARED"
MANAGERS = {"support": ["U0SUP1"], "directors": ["U0DIR1"], "executives": ["U0EXEC1"],
            "escalation_manager": ["U0ESC1"]}


@pytest.fixture
def desk(redis, fake_slack, namespace, tmp_path: Path) -> Iterator[tuple[Harness, App]]:
    pol = tmp_path / "ladderdesk.yml"
    pol.write_text(POLICY)
    cfg = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "managers": MANAGERS,
        "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(pol), "contacts": ["U0ACME1"]}],
    })
    fake_slack.add_user("U0ACME1", team_id="T0ACME", is_stranger=True)
    h = Harness(redis, cfg, fake_slack, namespace)
    app = App(h, fake_slack, users=("U0AGENT1", "U0SUP1", "U0DIR1", "U0EXEC1", "U0ESC1"), publish=True)
    try:
        yield h, app
    finally:
        app.stop()
        h.stop()


def _escalate(app: App, rid: str, reason: str) -> None:
    values = {"reason": {"value": {"type": "plain_text_input", "value": reason}}}
    r = app.driver.view_submission("slackops_customer_escalate", values, user_id="U0ACME1", user_team_id="T0ACME",
                                   private_metadata=ViewMeta(r=rid, channel=SHARED).dump())
    assert r.status == 200 and "errors" not in r.text, r.text


def _dms(fake) -> dict[str, int]:
    """How many messages each manager's DM channel holds."""
    return {u: len(fake.messages("D" + u[1:])) for users in MANAGERS.values() for u in users}


def test_customer_escalation_after_the_ladder_reached_level_2(desk, fake_slack):
    h, app = desk
    req = h.store.open("acme", title="Checkout down", priority="P1", submitted_by="U0ACME1", now=utcnow())
    h.card(req)
    assert h.run_until(lambda: h.store.get(req.id).escalation_level == 2, timeout=10)
    assert h.run_until(lambda: _dms(fake_slack)["U0DIR1"] == 1, timeout=5)
    # first press: the escalation manager, at the level the ladder reached
    _escalate(app, req.id, "No answer since this morning")
    assert h.run_until(lambda: h.store.get(req.id).customer_escalated_at is not None, timeout=5)
    assert h.run_until(lambda: _dms(fake_slack)["U0ESC1"] == 1, timeout=5)
    r = h.store.get(req.id)
    assert r.escalation_level == 2 and _dms(fake_slack)["U0EXEC1"] == 0
    # second press: one level above the highest reached, the ladder's level-3 people
    _escalate(app, req.id, "Still down")
    assert h.run_until(lambda: h.store.get(req.id).escalation_level == 3, timeout=5)
    assert h.run_until(lambda: _dms(fake_slack)["U0EXEC1"] == 1, timeout=5)
    # the ladder's own level 3 falls due: its channel ping, and no second DM to the executive
    assert h.run_until(lambda: any(f"{req.id}|escalation:3|due|C0URGENT" == m["metadata"]["event_payload"]["notice_id"]
                                   for m in fake_slack.messages("C0URGENT") if m.get("metadata")), timeout=15)
    h.run_for(1.0)
    assert _dms(fake_slack) == {"U0SUP1": 1, "U0DIR1": 1, "U0EXEC1": 1, "U0ESC1": 1}
    escalations = [(e.data["level"], e.data["by"], e.data.get("notified")) for e in h.store.history(req.id)
                   if e.type == "escalated"]
    assert escalations == [(1, "policy", ["U0SUP1"]), (2, "policy", ["U0DIR1"]), (2, "customer", ["U0ESC1"]),
                           (3, "customer", ["U0EXEC1"])]


def test_first_customer_escalation_of_a_request_not_yet_escalated(desk, fake_slack):
    h, app = desk
    req = h.store.open("acme", title="Slow", priority="P1", submitted_by="U0ACME1", now=utcnow())
    h.card(req)
    _escalate(app, req.id, "Urgent for us")  # before the ladder's first step
    assert h.run_until(lambda: h.store.get(req.id).escalation_level >= 1 and _dms(fake_slack)["U0ESC1"] == 1,
                       timeout=5)
    assert h.run_until(lambda: h.store.get(req.id).escalation_level == 2, timeout=10)
    h.run_for(1.0)
    counts = _dms(fake_slack)
    assert (counts["U0ESC1"], counts["U0SUP1"], counts["U0DIR1"]) == (1, 1, 1)

