"""Whom the customer's escalation engages (pure): the policy's customer-escalation managers
first whatever the level reached, then a level above the highest; the person on call where a
role is a rotation; nobody already told of that level."""

from __future__ import annotations

from datetime import UTC, datetime

from slackops.config import Config
from slackops.policy import parse_policy_text
from slackops.requests import Event, apply, submit
from slackops.slack.customer_escalation import customer_escalation

POLICY = parse_policy_text("""\
title: Ladder
timezone: UTC
calendars: {default: {hours: 24x7}}
intake:
  customer_escalation: {notify: [escalation_manager], next_level: true}
priorities:
  - id: P1
    label: Critical
    rank: 1
    definition: down
    targets: {first_response: 1 hours}
    escalation:
      - {level: 1, after: 1 hours, notify: [support]}
      - {level: 2, after: 2 hours, notify: [directors]}
      - {level: 3, after: 5 hours, notify: [executives, directors]}
""", source="ladder.yml")
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CONFIG = Config.model_validate({
    "team_id": "T0VENDOR", "agents": ["U0AGENT1"],
    "managers": {"support": ["U0SUP1"], "escalation_manager": ["U0ESC1"], "executives": ["U0EXEC1"],
                 "directors": {"rotation": "daily", "start": "2026-12-01T08:00", "timezone": "UTC",
                               "people": ["U0DIR1", "U0DIR2"]}},
})


def _req():
    req, ev = submit("ACME-1", account="acme", policy="ladder", calendar="default", language="en", priority="P1",
                     title="down", submitted_by="U0ACME1", at=T0)
    return req, [ev]


def _do(req, history, type_, actor, hours, **data):
    ev = Event(type_, actor, T0.replace(hour=9 + hours), data)
    return apply(req, ev), [*history, ev]


def test_after_the_ladder_reached_level_2_then_a_level_up():
    req, history = _req()
    req, history = _do(req, history, "escalated", "policy", 1, by="policy", level=1, notified=["U0SUP1"])
    req, history = _do(req, history, "escalated", "policy", 2, by="policy", level=2, notified=["U0DIR1"])
    at = T0.replace(hour=12)
    assert customer_escalation(CONFIG, POLICY, req, history, at) == (2, ["U0ESC1"])
    req, history = _do(req, history, "escalated", "U0ACME1", 3, by="customer", level=2, reason="x",
                       notified=["U0ESC1"])
    # level 3: the executives and the director on call at 12:00 on the 7th: the 7th day of
    # a daily rotation of two that began on the 1st at 08:00, U0DIR1's turn again
    assert customer_escalation(CONFIG, POLICY, req, history, at) == (3, ["U0EXEC1", "U0DIR1"])


def test_nobody_already_told_of_the_level():
    req, history = _req()
    req, history = _do(req, history, "escalated", "policy", 1, by="policy", level=1, notified=["U0SUP1", "U0ESC1"])
    # the escalation manager was already DMed about level 1 (a role the ladder names too)
    assert customer_escalation(CONFIG, POLICY, req, history, T0.replace(hour=11)) == (1, [])
