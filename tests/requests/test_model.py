"""The pure state machine: every transition and every refusal, no Redis."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from slackops.policy import load
from slackops.requests import DomainError, Event, Request, Rules, Status, apply, submit
from tests.requests.helpers import T0, at

COMENSURE = Rules.from_policy(load("comensure"))
IXCLOUD = Rules.from_policy(load("ixcloud"))
INTERZEN = Rules.from_policy(load("interzen"))
INTEROPION = Rules.from_policy(load("interopion"))
INTERACTOR = Rules.from_policy(load("interactor"))


def new(rules: Rules = COMENSURE, priority: str = "P2", **kw) -> Request:
    req, _ev = submit(
        "ACME-12", account="acme", policy=rules.policy, calendar="default", language="en",
        priority=priority, title="Login fails", submitted_by="U0ACME1", at=T0, rules=rules, **kw,
    )
    return req


def ev(type_: str, actor: str = "U0AGENT1", minutes: float = 1, **data) -> Event:
    return Event(type_, actor, at(minutes), data)


def run(req: Request, *events: Event, rules: Rules = COMENSURE) -> Request:
    for e in events:
        req = apply(req, e, rules)
    return req


def refused(req: Request, event: Event, message: str, rules: Rules = COMENSURE) -> None:
    with pytest.raises(DomainError) as info:
        apply(req, event, rules)
    assert message in str(info.value)


# --------------------------------------------------------------------------- submission


def test_submit_builds_a_request_and_its_event():
    req, event = submit(
        "ACME-1", account="acme", policy="comensure", calendar="default", language="en",
        priority="p1", title="  Down  ", submitted_by="U0ACME1", at=T0, rules=COMENSURE,
        fields={"impact": "all users", "steps": ""}, source="reaction",
    )
    assert (req.priority, req.title, req.status, req.version) == ("P1", "Down", Status.submitted, 1)
    assert req.fields == {"impact": "all users"}  # empty fields are dropped
    assert req.source == "reaction" and req.is_open
    assert (event.type, event.actor, event.at, event.data["priority"]) == ("submitted", "U0ACME1", T0, "P1")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"priority": "P9"}, "'P9' is not a priority of comensure (use one of P1, P2, P3)"),
        ({"title": "  "}, "a request needs a title"),
        ({"submitted_by": ""}, "a request needs the user who submits it"),
        ({"source": "email"}, "'email' is not a way to open a request"),
        ({"fields": {"category": "bug"}}, "comensure has no categories"),
    ],
)
def test_submit_refuses(kw, message):
    args = dict(account="acme", policy="comensure", calendar="default", language="en", priority="P2",
                title="x", submitted_by="U0ACME1", at=T0, rules=COMENSURE)
    args.update(kw)
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        submit("ACME-1", **args)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        Event("acknowledged", "U0AGENT1", datetime(2026, 1, 1, 12, 0))


def test_times_are_stored_in_utc_to_the_millisecond():
    from zoneinfo import ZoneInfo

    e = Event("acknowledged", "U0AGENT1", datetime(2026, 7, 1, 8, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Rome")))
    assert e.at.isoformat() == "2026-07-01T06:00:00.123000+00:00"


# --------------------------------------------------------------------------- lifecycle


def test_the_whole_lifecycle():
    req = new()
    req = run(
        req,
        ev("acknowledged", minutes=1),
        ev("assigned", minutes=2),
        ev("first_response", minutes=3),
        ev("info_requested", minutes=10, question="Which browser?"),
        ev("info_provided", "U0ACME1", minutes=70, text="Firefox"),
        ev("update_posted", minutes=80),
        ev("plan_recorded", minutes=90),
        ev("resolved", minutes=120, resolution="fix", note="patched"),
        ev("closed", "U0ACME1", minutes=130),
    )
    assert req.status is Status.closed and not req.is_open
    assert req.version == 10
    assert req.acknowledged_at == at(1) and req.first_response_at == at(3)
    assert req.assignee == "U0AGENT1"
    assert req.waiting == ((at(10), at(70)),)
    assert req.updates == (at(80),) and req.plan_at == at(90)
    assert (req.resolved_at, req.resolution, req.closed_at) == (at(120), "fix", at(130))


def test_acknowledged_moves_submitted_to_acknowledged():
    req = run(new(), ev("acknowledged"))
    assert req.status is Status.acknowledged and req.acknowledged_at == at(1)


def test_acknowledged_records_the_initial_priority_ixcloud():
    # IXCloud: "At the time [IXCloud] accepts a service request, [it] will record an initial severity level"
    req = run(new(IXCLOUD, "S3"), ev("acknowledged", priority="S2"), rules=IXCLOUD)
    assert req.priority == "S2" and req.priority_changes == ((at(1), "S3", "S2", "set at acceptance"),)


def test_acknowledged_with_an_assignee_takes_it():
    req = run(new(), ev("acknowledged", assignee="U0AGENT2"))
    assert (req.status, req.assignee) == (Status.in_progress, "U0AGENT2")


def test_take_from_submitted_accepts_and_starts_work():
    req = run(new(), ev("assigned", "U0AGENT2"))
    assert (req.status, req.assignee, req.acknowledged_at) == (Status.in_progress, "U0AGENT2", at(1))


def test_take_by_someone_else_is_refused_naming_who_has_it():
    req = run(new(), ev("assigned", "U0AGENT2"))
    refused(req, ev("assigned", "U0AGENT1"), "ACME-12 is taken by <@U0AGENT2>")


def test_reassign_with_force():
    req = run(new(), ev("assigned", "U0AGENT2"), ev("assigned", "U0MGR1", assignee="U0AGENT1", force=True))
    assert req.assignee == "U0AGENT1"


def test_take_twice_is_refused():
    req = run(new(), ev("assigned", "U0AGENT2"))
    refused(req, ev("assigned", "U0AGENT2"), "ACME-12 is already assigned to <@U0AGENT2>")


def test_unassign():
    req = run(new(), ev("assigned", "U0AGENT2"), ev("assigned", "U0AGENT2", assignee=None))
    assert req.assignee is None and req.status is Status.in_progress
    refused(req, ev("assigned", assignee=None), "ACME-12 is not assigned to anyone")


def test_first_response_once():
    req = run(new(), ev("first_response"))
    assert req.first_response_at == at(1) and req.status is Status.submitted
    refused(req, ev("first_response", minutes=5), "ACME-12 already has its first response")


def test_waiting_on_customer_pauses_and_resumes():
    req = run(new(), ev("assigned"), ev("info_requested", minutes=5, question="logs?"))
    assert req.status is Status.waiting_on_customer and req.waiting == ((at(5), None),)
    refused(req, ev("info_requested", minutes=6, question="more?"), "ACME-12 is already waiting on the customer")
    req = run(req, ev("info_provided", "U0ACME1", minutes=30, text="here"))
    assert req.status is Status.in_progress and req.waiting == ((at(5), at(30)),)


def test_info_requested_needs_a_question():
    refused(new(), ev("info_requested"), "say what information ACME-12 needs")


def test_info_provided_without_a_hold_changes_nothing_but_the_version():
    req = run(new(), ev("assigned"))
    after = run(req, ev("info_provided", "U0ACME1", text="more details"))
    assert after == replace(req, version=req.version + 1)


def test_waiting_ends_when_resolved():
    req = run(new(), ev("info_requested", minutes=5, question="?"), ev("resolved", minutes=9, resolution="other"))
    assert req.waiting == ((at(5), at(9)),) and req.status is Status.resolved


def test_reclassify_downgrade_needs_a_reason():
    req = new(priority="P1")
    refused(req, ev("reclassified", to="P3"), "give a reason to reclassify ACME-12")
    req = run(req, ev("reclassified", to="P3", reason="one user only"))
    assert req.priority == "P3" and req.priority_changes == ((at(1), "P1", "P3", "one user only"),)
    assert req.initial_priority == "P1"
    assert req.timeline_facts()["priority_changes"] == ((at(1), "P3"),)
    assert req.timeline_facts()["priority_id"] == "P1"


def test_reclassify_to_an_unknown_priority_names_the_valid_ones():
    refused(new(), ev("reclassified", to="P7", reason="x"), "'P7' is not a priority of comensure (use one of P1, P2, P3)")


def test_reclassify_to_the_same_priority_is_refused():
    refused(new(), ev("reclassified", to="P2", reason="x"), "ACME-12 is already P2")


def test_reclassify_from_a_stale_priority_is_refused():
    refused(new(), ev("reclassified", to="P1", reason="x", **{"from": "P3"}), "ACME-12 is P2 now, not P3")


def test_upgrade_needs_a_justification_when_the_policy_says_so():
    req = new(IXCLOUD, "S3")
    refused(req, ev("reclassified", to="S1", reason="worse"),
            "raising ACME-12 from S3 to S1 needs a justification of increased impact", rules=IXCLOUD)
    up = run(req, ev("reclassified", to="S1", reason="worse", justification="all sites down"), rules=IXCLOUD)
    assert up.priority == "S1"
    # a downgrade needs none
    down = run(req, ev("reclassified", to="S4", reason="cosmetic"), rules=IXCLOUD)
    assert down.priority == "S4"
    # nor does the policy's own auto-upgrade
    auto = run(req, ev("reclassified", "policy", to="S2", reason="auto-upgrade", by="policy"), rules=IXCLOUD)
    assert auto.priority == "S2"


def test_upgrade_without_justification_where_the_policy_does_not_ask():
    assert run(new(priority="P3"), ev("reclassified", to="P1", reason="outage")).priority == "P1"


def test_appeal_only_after_a_reclassification():
    refused(new(), ev("appealed", "U0ACME1", reason="it is urgent"),
            "ACME-12 has not been reclassified; there is nothing to appeal")
    req = run(new(priority="P1"), ev("reclassified", to="P2", reason="workaround exists"))
    refused(req, ev("appealed", "U0ACME1", minutes=2), "say why you appeal ACME-12")
    req = run(req, ev("appealed", "U0ACME1", minutes=2, reason="no workaround for us"))
    assert req.appealed_at == at(2)


def test_escalation_goes_up_a_level_at_a_time_or_to_a_named_level():
    req = run(new(), ev("escalated", "U0ACME1", by="customer", reason="no answer"))
    assert req.escalation_level == 1
    req = run(req, ev("escalated", "U0ACME1", by="customer", reason="still nothing"))
    assert req.escalation_level == 2
    refused(req, ev("escalated", "policy", by="policy", level=2), "ACME-12 is already at escalation level 2")
    req = run(req, ev("escalated", "policy", by="policy", level=3))
    assert req.escalation_level == 3


def test_customer_escalation_needs_a_reason():
    refused(new(), ev("escalated", "U0ACME1", by="customer"), "say why you escalate ACME-12")


def test_escalation_by_an_unknown_party_is_refused():
    refused(new(), ev("escalated", by="martians", reason="x"), "'martians' cannot escalate")


def test_escalation_acknowledged():
    refused(new(), ev("escalation_acknowledged", "U0MGR1", level=1), "ACME-12 has not been escalated to level 1")
    req = run(new(), ev("escalated", "policy", by="policy", level=2))
    refused(req, ev("escalation_acknowledged", "U0MGR1", level=3), "ACME-12 has not been escalated to level 3")
    req = run(req, ev("escalation_acknowledged", "U0MGR1", level=2))
    assert req.escalation_acknowledged == 2
    refused(req, ev("escalation_acknowledged", "U0MGR1", level=2), "escalation level 2 of ACME-12 is already acknowledged")


def test_categorized_interzen():
    req = run(new(INTERZEN, "P2"), ev("categorized", category=INTERZEN.categories[0]), rules=INTERZEN)
    assert req.category == INTERZEN.categories[0]
    refused(req, ev("categorized", category=INTERZEN.categories[0]), f"ACME-12 is already in category {INTERZEN.categories[0]}", rules=INTERZEN)
    refused(req, ev("categorized", category="gossip"), "'gossip' is not a category of interzen (use one of", rules=INTERZEN)
    refused(new(), ev("categorized", category="bug"), "comensure has no categories")


def test_critical_notice_keeps_the_first_instant():
    req = run(new(priority="P1"), ev("critical_notice_sent", minutes=5, text="We are on it"),
              ev("critical_notice_sent", minutes=50, text="Still on it"))
    assert req.critical_notice_at == at(5)


def test_update_posted_and_a_workaround_before_the_fix():
    req = run(new(), ev("update_posted", minutes=5), ev("update_posted", minutes=50, workaround=True))
    assert req.updates == (at(5), at(50)) and req.workaround_at == at(50) and req.is_open


def test_plan_recorded_once_then_revised():
    req = run(new(priority="P1"), ev("plan_recorded"))
    refused(req, ev("plan_recorded", minutes=3), "ACME-12 already has a plan of resolution; write the revised plan")
    req = run(req, ev("plan_recorded", minutes=4, text="Patch 2.1 on Friday", expected="2026-12-04"))
    assert req.plan_at == at(1) and req.notes["plan"] == "Patch 2.1 on Friday" and req.updates == (at(4),)
    assert req.notes["plan_expected"] == "2026-12-04"


@pytest.mark.parametrize("how", ["fix", "workaround", "other", "not_within_jurisdiction"])
def test_resolutions(how):
    req = run(new(), ev("resolved", resolution=how))
    assert (req.status, req.resolution, req.resolved_at) == (Status.resolved, how, at(1))
    assert (req.workaround_at == at(1)) == (how == "workaround")


def test_not_an_error_only_where_the_policy_allows_it():
    assert run(new(INTERACTOR, "S2"), ev("resolved", resolution="not_an_error"), rules=INTERACTOR).resolution == "not_an_error"
    refused(new(), ev("resolved", resolution="not_an_error"), "comensure does not allow closing a request as not an error")


def test_unknown_resolution():
    refused(new(), ev("resolved", resolution="magic"), "'magic' is not a resolution (use one of fix, workaround")


def test_feature_requests_are_logged_and_closed_interopion():
    req = run(new(INTEROPION, "P3"), ev("resolved", resolution="feature_request"), rules=INTEROPION)
    assert req.status is Status.closed and req.closed_at == at(1) and req.resolution == "feature_request"


def test_resolve_twice_is_refused():
    req = run(new(), ev("resolved", resolution="fix"))
    refused(req, ev("resolved", minutes=2, resolution="fix"), "ACME-12 is already resolved")


def test_reopen_from_resolved():
    req = run(new(), ev("assigned"), ev("resolved", minutes=2))
    refused(req, ev("reopened", "U0ACME1", minutes=3), "say why you reopen ACME-12")
    req = run(req, ev("reopened", "U0ACME1", minutes=3, reason="still broken"))
    assert (req.status, req.resolved_at, req.resolution) == (Status.in_progress, None, None)
    assert run(run(new(), ev("resolved")), ev("reopened", minutes=2, reason="x")).status is Status.acknowledged


def test_reopen_needs_a_resolved_request():
    refused(new(), ev("reopened", reason="x"), "ACME-12 is not resolved; there is nothing to reopen")


def test_close_needs_a_resolved_request():
    refused(new(), ev("closed", "U0ACME1"), "ACME-12 is not resolved yet; resolve it before closing")


CLOSED_REFUSALS = [
    (ev("acknowledged"), "ACME-12 is closed"),
    (ev("assigned"), "ACME-12 is closed; it cannot be assigned"),
    (ev("first_response"), "ACME-12 is closed"),
    (ev("reclassified", to="P1", reason="x"), "ACME-12 is closed; it cannot be reclassified"),
    (ev("appealed", reason="x"), "ACME-12 is closed"),
    (ev("escalated", reason="x"), "ACME-12 is closed; it cannot be escalated"),
    (ev("escalation_acknowledged", level=1), "ACME-12 is closed"),
    (ev("categorized", category="x"), "ACME-12 is closed"),
    (ev("critical_notice_sent", text="x"), "ACME-12 is closed"),
    (ev("info_requested", question="x"), "ACME-12 is closed; it cannot be put on hold"),
    (ev("info_provided", text="x"), "ACME-12 is closed"),
    (ev("update_posted"), "ACME-12 is closed"),
    (ev("plan_recorded"), "ACME-12 is closed"),
    (ev("resolved"), "ACME-12 is closed"),
    (ev("closed"), "ACME-12 is already closed"),
    (ev("reopened", reason="x"), "ACME-12 is closed and cannot be reopened; open a new request"),
    (ev("submitted"), "ACME-12 was already submitted"),
]


@pytest.mark.parametrize(("event", "message"), CLOSED_REFUSALS, ids=[e.type for e, _ in CLOSED_REFUSALS])
def test_a_closed_request_refuses_everything(event, message):
    closed = run(new(), ev("resolved", minutes=0.5), ev("closed", minutes=0.7))
    refused(closed, event, message)


RESOLVED_REFUSALS = [
    (ev("acknowledged"), "ACME-12 is already resolved"),
    (ev("assigned"), "ACME-12 is already resolved; reopen it first"),
    (ev("reclassified", to="P1", reason="x"), "ACME-12 is already resolved; reopen it first"),
    (ev("escalated", reason="x"), "ACME-12 is already resolved; reopen it first"),
    (ev("critical_notice_sent", text="x"), "ACME-12 is already resolved"),
    (ev("info_requested", question="x"), "ACME-12 is already resolved; reopen it first"),
    (ev("info_provided", text="x"), "ACME-12 is already resolved"),
    (ev("update_posted"), "ACME-12 is already resolved"),
    (ev("plan_recorded"), "ACME-12 is already resolved"),
]


@pytest.mark.parametrize(("event", "message"), RESOLVED_REFUSALS, ids=[e.type for e, _ in RESOLVED_REFUSALS])
def test_a_resolved_request_refuses_work(event, message):
    refused(run(new(), ev("resolved", minutes=0.5)), event, message)


def test_an_acknowledged_request_is_not_acknowledged_twice():
    refused(run(new(), ev("acknowledged")), ev("acknowledged", minutes=2), "ACME-12 is already acknowledged")


def test_unknown_event_type_and_missing_actor():
    refused(new(), ev("teleported"), "'teleported' is not something that can happen to a request")
    refused(new(), Event("acknowledged", "", at(1)), "who did this to ACME-12?")


def test_apply_is_pure():
    req = new()
    a = apply(req, ev("assigned"), COMENSURE)
    b = apply(req, ev("assigned"), COMENSURE)
    assert a == b and req.version == 1 and req.assignee is None


def test_requests_and_events_are_hashable():
    req = new(fields={"impact": "all"})
    assert len({req, apply(req, ev("assigned"), COMENSURE)}) == 2
    assert hash(ev("assigned", note="x")) == hash(ev("assigned", note="y"))


def test_assignee_must_look_like_a_user_id():
    refused(new(), ev("assigned", assignee="U0 AGENT\t1"), "'U0 AGENT\\t1' is not a Slack user id")


def test_the_customers_first_escalation_engages_at_the_level_reached():
    req = run(new(), ev("escalated", "policy", by="policy", level=2))
    req = run(req, ev("escalated", "U0ACME1", by="customer", level=2, reason="no answer"))
    assert req.escalation_level == 2 and req.customer_escalated_at is not None
    # only the first: a further one goes a level up
    refused(req, ev("escalated", "U0ACME1", by="customer", level=2, reason="again"),
            "ACME-12 is already at escalation level 2")
    req = run(req, ev("escalated", "U0ACME1", by="customer", level=3, reason="still down"))
    assert req.escalation_level == 3


def test_escalation_acknowledgements_keep_who_and_when():
    req = run(new(), ev("escalated", "policy", by="policy", level=2))
    req = run(req, ev("escalation_acknowledged", "U0MGR1", level=1))
    req = run(req, ev("escalation_acknowledged", "U0MGR2", level=2))
    assert [(lvl, who) for lvl, _at, who in req.escalation_acks] == [(1, "U0MGR1"), (2, "U0MGR2")]
