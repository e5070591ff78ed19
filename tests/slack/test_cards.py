"""The two cards, rendered: what each says, and that no two buttons a person sees share a
name (every preset, every status, both modes)."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from slackops.policy import load
from slackops.slack.blocks.card import request_card
from slackops.slack.blocks.card_agents import agents_card, clock_lines, flags
from slackops.slack.blocks.card_customer import customer_card, promise_line
from slackops.slack.ids import ActionId
from tests.slack.test_blocks import Cp, make_request
from tests.slack.test_triage import AGENT_IDS, CUSTOMER_IDS, buttons

NOW = datetime(2026, 1, 13, 14, 20, tzinfo=UTC)
PRESETS = ["comensure", "interactor", "interopion", "interzen", "ixcloud"]
STATUSES = ["submitted", "acknowledged", "in_progress", "waiting_on_customer", "resolved", "closed"]


def names(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in buttons({"blocks": blocks})]


def ids(blocks: list[dict]) -> set[str]:
    return {b["action_id"] for b in buttons({"blocks": blocks})}


@pytest.mark.parametrize("preset", PRESETS)
def test_no_two_buttons_a_person_sees_share_a_name(preset):
    policy = load(preset)
    walked = 0
    for status, assignee, reclassified, lang in itertools.product(STATUSES, [None, "U0AGENT1"], [False, True],
                                                                  ["en", "it"]):
        prio = policy.priorities[0].id
        req = make_request(policy=preset, priority=prio, status=status, assignee=assignee, language=lang,
                           resolution="fix" if status in ("resolved", "closed") else None,
                           priority_changes=((NOW, prio, prio, "why"),) if reclassified else ())
        cps = [Cp("first_response", NOW + timedelta(hours=1))]
        single = request_card(req, cps, policy=policy, now=NOW)
        customer = customer_card(req, cps, policy=policy, now=NOW)
        agents = agents_card(req, cps, policy=policy, now=NOW, account_name="Acme", thread_link="https://x/y")
        for blocks in (single, customer, agents):
            assert len(names(blocks)) == len(set(names(blocks))), (status, lang, names(blocks))
        # an agent in both channels sees both cards: no name on both
        assert not set(names(customer)) & set(names(agents)), (names(customer), names(agents))
        assert ids(customer) <= CUSTOMER_IDS and not ids(agents) & CUSTOMER_IDS
        assert not ids(customer) & AGENT_IDS
        walked += 1
    assert walked == len(STATUSES) * 8


def test_the_customer_card_speaks_the_customers_terms():
    policy = load("interopion")
    req = make_request()
    due = Cp("first_response", NOW + timedelta(hours=2, minutes=10))
    line = promise_line(req, [due], policy=policy, now=NOW, lang="en")
    assert line.startswith(":stopwatch: You will hear from us by <!date^") and "(in 2 h 10 min)" in line
    late = Cp("first_response", NOW - timedelta(minutes=5), state="breached")
    assert "it is late, and our team has been alerted" in promise_line(req, [late], policy=policy, now=NOW, lang="en")
    waiting = replace(req, status="waiting_on_customer")
    assert "waiting for the information" in promise_line(waiting, [due], policy=policy, now=NOW, lang="en")
    it = promise_line(replace(req, language="it"), [due], policy=policy, now=NOW, lang="it")
    assert it.startswith(":stopwatch: Vi risponderemo entro <!date^") and "tra 2 h 10 min" in it
    blocks = customer_card(req, [due], policy=policy, now=NOW)
    assert "Who is on it" in json.dumps(blocks) and "Our support team" in json.dumps(blocks)
    assert "<@U0AGENT1>" in json.dumps(customer_card(replace(req, assignee="U0AGENT1"), [due], policy=policy, now=NOW))
    assert names(blocks) == ["Add information", "Escalate to a manager", "Ask for higher priority"]
    top = customer_card(replace(req, priority="P1"), [due], policy=policy, now=NOW)  # nothing more urgent to ask for
    assert names(top) == ["Add information", "Escalate to a manager"]
    resolved = customer_card(replace(req, status="resolved", resolution="fix"), [], policy=policy, now=NOW)
    assert ids(resolved) == {ActionId.CONFIRM_RESOLVED} and "Fixed" in json.dumps(resolved)
    appeal = customer_card(replace(req, priority_changes=((NOW, "P1", "P2", "why"),)), [due], policy=policy, now=NOW)
    assert "Appeal the reclassification" in names(appeal)
    appealed = replace(req, priority_changes=((NOW, "P1", "P2", "why"),), appealed_at=NOW)
    assert ActionId.APPEAL not in ids(customer_card(appealed, [due], policy=policy, now=NOW))


def test_the_customer_card_shows_what_they_were_told_was_recorded_and_nothing_for_agents_only():
    policy = load("comensure")
    notes = {"diagnosis": "Expired <TLS> certificate", "plan": "Renew it", "plan_expected": "2026-01-20",
             "workaround": "Use the backup host", "upgrade_to": "P1", "phi": "1800000000.000500"}
    req = make_request(policy="comensure", notes=notes)
    cps = [Cp("first_response", NOW + timedelta(hours=1)),
           Cp("auto_upgrade", NOW + timedelta(hours=3), key="auto_upgrade", priority="P2")]
    customer = json.dumps(customer_card(req, cps, policy=policy, now=NOW))
    agents = json.dumps(agents_card(req, cps, policy=policy, now=NOW, account_name="Acme", thread_link=None))
    for told in ("Expired &lt;TLS&gt; certificate", "Renew it", "20 Jan 2026", "Use the backup host",
                 "The customer asks for P1"):
        assert told in customer and told in agents, told
    for agents_only in ("protected health information", "becomes P1 if"):
        assert agents_only in agents and agents_only not in customer, agents_only


def test_flags_phi_service_and_waiting():
    req = make_request(description="Patient John Smith 03/04/1985 cannot log in")
    assert flags(req) == [":warning: PHI suspected"]
    req = make_request(fields={"service_impact": "unavailable"}, status="waiting_on_customer")
    assert flags(req) == [":rotating_light: Service affected (unavailable)", ":hourglass_flowing_sand: Waiting on the customer"]
    assert flags(make_request(fields={"service_impact": "none"})) == []
    blocks = agents_card(req, [], policy=load("interopion"), now=NOW, account_name="Acme <Health>", thread_link=None)
    flag_block = next(b for b in blocks if b.get("block_id") == "card_flags")
    assert "Service affected" in flag_block["elements"][0]["text"]
    assert "Acme &lt;Health&gt;" in json.dumps(blocks) and ActionId.OPEN_THREAD not in ids(blocks)


def test_every_targets_clock_on_the_agents_card():
    cps = [Cp("first_response", NOW - timedelta(hours=1), state="met", met_at=NOW - timedelta(hours=2)),
           Cp("update", NOW + timedelta(minutes=30), key="update"),
           Cp("resolution", NOW - timedelta(minutes=10), state="breached", key="resolution"),
           Cp("escalation", NOW + timedelta(minutes=5), key="escalation:1")]
    lines = clock_lines(cps, tz="UTC", now=NOW)
    assert len(lines) == 3  # escalation steps are not targets
    assert lines[0].startswith(":white_check_mark: first response: met <!date^")
    assert lines[1].startswith(":red_circle: resolution overdue since")
    assert lines[2].startswith(":stopwatch: next update due") and "in 30 min" in lines[2]
    late = clock_lines([Cp("first_response", NOW - timedelta(hours=1), state="breached", met_at=NOW)], tz="UTC", now=NOW)
    assert late[0].startswith(":warning: first response: met")
