"""Agents record the work the policy measures, from the card, on a policy of seconds shaped
like Comensure's: status updates meet each update cycle, a plan stops the ladder, a
workaround meets its target without closing, "Problem identified" prevents the upgrade."""

from __future__ import annotations

import time

import pytest

from tests.slack.conftest import form, wait_for
from tests.slack.records_harness import CONTACT, SHARED, carried, fast_desk, sleep_until


def card_text(desk, rid):
    """The card agents work from (the agents' card in triage mode)."""
    return str(desk.agents_card(rid)["blocks"])


def customer_text(desk, rid):
    """The card in the customer's shared channel (the same card in shared mode)."""
    return str(desk.card(rid)["blocks"])


def post_update(desk, rid, text, count):
    desk.press("req_post_update", rid, "U0AGENT1")
    view = desk.wait_view("slackops_post_update", count=count)
    r = desk.submit("slackops_post_update", form(text=text), "U0AGENT1", view=view)
    assert r.status == 200 and not r.body, r.text
    return view


def test_updates_every_cycle_never_breach_and_the_silent_cycle_warns(fake_slack, redis, namespace, tmp_path):
    with fast_desk(fake_slack, redis, namespace, tmp_path) as (desk, _workers):
        rid = desk.open_request(CONTACT, SHARED, priority="P1", extra={"justification": "all down"})
        req = desk.store.get(rid)
        start = req.submitted_at.timestamp()  # cycles of 6 s from submission; the warning at 75 %
        assert "req_post_update" in card_text(desk, rid) and "req_post_update" not in customer_text(desk, rid)
        # cycle 1: "Post update", prefilled (no status yet: a first sentence in the request's language)
        view = post_update(desk, rid, "Failover started", count=1)
        assert view["blocks"][1]["element"]["initial_value"].startswith(f"Status of {rid}")
        desk.wait_thread(rid, "Update on *")
        # cycle 2: the agent's first reply is the first response, the next ones are updates
        sleep_until(start + 6.5)
        for n, text in enumerate(("Looking at the database", "Database restored, checking queues")):
            desk.driver.event({"type": "message", "channel": SHARED, "user": "U0AGENT1", "user_team": "T0VENDOR",
                               "text": text, "ts": f"1800000000.00010{n}", "thread_ts": req.card_ts})
        wait_for(lambda: len(desk.store.get(rid).updates) == 2, timeout=10, what="the thread reply as an update")
        # the form is prefilled with the last status now
        sleep_until(start + 12.5)
        view = post_update(desk, rid, "Queues drained", count=2)
        assert view["blocks"][1]["element"]["initial_value"] == "Database restored, checking queues"
        updates = desk.store.get(rid).updates
        assert [int((u.timestamp() - start) // 6) for u in updates] == [0, 1, 2]
        # cycle 4: nobody writes; its warning (at 4.5 s into it) and breach go out
        member = f"{rid}|update:4"
        wait_for(lambda: any(n.startswith(f"{member}|due") for n in carried(fake_slack)), timeout=30,
                 what="the breach of the silent cycle")
        ids = carried(fake_slack)
        assert any(n.startswith(f"{member}|warn:0.75") for n in ids)
        for k in (1, 2, 3):
            assert not [n for n in ids if n.startswith(f"{rid}|update:{k}|")], ids
        states = {c.key: c.state for c in desk.store.timeline(desk.store.get(rid), desk.clock())}
        assert states["update:1"] == states["update:2"] == states["update:3"] == "met"
        assert states["update:4"] == "breached"


def test_thread_replies_are_not_updates_where_the_account_says_so(fake_slack, redis, namespace, tmp_path):
    with fast_desk(fake_slack, redis, namespace, tmp_path, thread_replies_are_updates=False) as (desk, _w):
        rid = desk.open_request(CONTACT, SHARED, priority="P3")
        req = desk.store.get(rid)
        for n in range(2):
            desk.driver.event({"type": "message", "channel": SHARED, "user": "U0AGENT1", "user_team": "T0VENDOR",
                               "text": f"reply {n}", "ts": f"1800000000.00020{n}", "thread_ts": req.card_ts})
        wait_for(lambda: desk.store.get(rid).first_response_at is not None)
        time.sleep(0.5)
        assert desk.store.get(rid).updates == ()


def test_a_recorded_plan_stops_the_remaining_ladder_steps(fake_slack, redis, namespace, tmp_path):
    with fast_desk(fake_slack, redis, namespace, tmp_path) as (desk, _workers):
        planned = desk.open_request(CONTACT, SHARED, priority="P1", title="Planned", extra={"justification": "down"})
        control = desk.open_request(CONTACT, SHARED, priority="P1", title="Control", extra={"justification": "down"})
        # level 1 (hour 0) goes out at once for both
        wait_for(lambda: desk.store.get(planned).escalation_level >= 1, timeout=10, what="level 1")
        desk.press("req_record_plan", planned, "U0AGENT1")
        view = desk.wait_view("slackops_record_plan")
        assert [b.get("block_id") for b in view["blocks"][1:]] == ["text", "expected"]
        # a date that has passed is refused on its field; nothing is recorded
        values = {**form(text="Roll back to 4.2 tonight"),
                  "expected": {"value": {"type": "datepicker", "selected_date": "2020-01-01"}}}
        r = desk.submit("slackops_record_plan", values, "U0AGENT1", view=view)
        assert r.json()["errors"]["expected"] == "That date has already passed."
        values["expected"] = {"value": {"type": "datepicker", "selected_date": "2099-12-04"}}
        r = desk.submit("slackops_record_plan", values, "U0AGENT1", view=view)
        assert r.status == 200 and not r.body, r.text
        msg = desk.wait_thread(planned, "plan of resolution")
        assert "Expected resolution: 4 Dec 2099." in msg["text"] and "Roll back to 4.2 tonight" in str(msg["blocks"])
        wait_for(lambda: "Roll back to 4.2 tonight" in card_text(desk, planned) and "4 Dec 2099" in card_text(desk, planned))
        # the customer was told it: their card shows it too
        wait_for(lambda: "Roll back to 4.2 tonight" in customer_text(desk, planned)
                 and "4 Dec 2099" in customer_text(desk, planned))
        # the control request climbs the ladder; the planned one stops at level 1
        wait_for(lambda: desk.store.get(control).escalation_level == 3, timeout=30, what="control at level 3")
        time.sleep(1.0)
        assert desk.store.get(planned).escalation_level == 1
        steps = {c.key: c.state for c in desk.store.timeline(desk.store.get(planned), desk.clock())}
        assert steps["escalation:2"] == steps["escalation:3"] == "void"
        # nobody outside the vendor records a plan
        desk.press("req_record_plan", planned, CONTACT, user_team_id="T0INITECH")
        desk.wait_ephemeral(CONTACT, "Only support agents")


@pytest.mark.parametrize("controls", ["triage", "shared"])
def test_a_workaround_meets_the_target_and_the_request_stays_open(fake_slack, redis, namespace, tmp_path, controls):
    with fast_desk(fake_slack, redis, namespace, tmp_path, agent_controls=controls) as (desk, _workers):
        rid = desk.open_request(CONTACT, SHARED, priority="P2")
        assert desk.has_agents_card(rid) == (controls == "triage")
        desk.press("req_workaround", rid, "U0AGENT1")
        view = desk.wait_view("slackops_workaround")
        r = desk.submit("slackops_workaround", form(text=""), "U0AGENT1", view=view)
        assert r.json()["errors"] == {"text": "Please fill this in."}
        r = desk.submit("slackops_workaround", form(text="Export by <region> & retry"), "U0AGENT1", view=view)
        assert r.status == 200 and not r.body, r.text
        msg = desk.wait_thread(rid, "gave a workaround")
        assert "Export by &lt;region&gt; &amp; retry" in str(msg["blocks"])
        req = desk.store.get(rid)
        assert req.is_open and req.workaround_at is not None and req.resolved_at is None
        states = {c.kind: c.state for c in desk.store.timeline(req, desk.clock())}
        assert states["workaround"] == "met" and states["update"] == "met"  # told to the customer: an update too
        wait_for(lambda: "Workaround:" in card_text(desk, rid) and "req_resolve" in card_text(desk, rid))
        wait_for(lambda: "Export by &lt;region&gt; &amp; retry" in customer_text(desk, rid))
        assert ("req_resolve" in customer_text(desk, rid)) == (controls == "shared")


@pytest.mark.parametrize("controls", ["triage", "shared"])
def test_problem_identified_prevents_the_upgrade(fake_slack, redis, namespace, tmp_path, controls):
    with fast_desk(fake_slack, redis, namespace, tmp_path, agent_controls=controls) as (desk, _workers):
        rid = desk.open_request(CONTACT, SHARED, priority="P2", title="Identified")
        control = desk.open_request(CONTACT, SHARED, priority="P2", title="Control")
        assert desk.has_agents_card(rid) == (controls == "triage")
        # the agents' card says what is owed and by when; in triage mode the customer card does not
        assert "becomes P1 if the problem is not identified by" in card_text(desk, rid)
        assert ("becomes P1" in customer_text(desk, rid)) == (controls == "shared")
        # taking it is not identifying it
        desk.press("req_take", control, "U0AGENT2")
        desk.press("req_identified", rid, "U0AGENT1")
        view = desk.wait_view("slackops_identified")
        assert "becomes P1 if the problem is not identified by" in view["blocks"][0]["text"]["text"]
        r = desk.submit("slackops_identified", form(text="Expired TLS certificate on the export host"), "U0AGENT1",
                        view=view)
        assert r.status == 200 and not r.body, r.text
        desk.wait_thread(rid, "identified the problem")
        wait_for(lambda: "Expired TLS certificate" in card_text(desk, rid) and "becomes P1" not in card_text(desk, rid))
        assert "req_identified" not in card_text(desk, rid)
        assert "Expired TLS certificate" in customer_text(desk, rid) and "becomes P1" not in customer_text(desk, rid)
        wait_for(lambda: desk.store.get(control).priority == "P1", timeout=30, what="the control's upgrade")
        time.sleep(0.5)
        assert desk.store.get(rid).priority == "P2"
        assert "reclassified" not in [e.type for e in desk.store.history(rid)]
