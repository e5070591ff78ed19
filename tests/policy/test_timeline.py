"""Timeline semantics: states at `now`, reclassification, waiting on the customer,
update cadence, escalation ladder, auto-upgrade, explanations. Times pinned explicitly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slackops.policy import Checkpoint, PolicyError, load, parse_policy_text

DENVER = ZoneInfo("America/Denver")
NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)

# Fri 4 Dec 2026 15:00 EST = 20:00 UTC (Comensure)
FRI = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


def by_key(cps: list[Checkpoint]) -> dict[str, Checkpoint]:
    return {c.key: c for c in cps}


def test_checkpoint_fields_and_json():
    cps = load("interopion").timeline("P2", datetime(2026, 12, 4, 16, 30, tzinfo=DENVER))
    (cp,) = cps
    assert (cp.kind, cp.key, cp.state, cp.level, cp.priority, cp.target) == (
        "first_response", "first_response", "pending", None, "P2", "4 business hours")
    assert cp.due_at.utcoffset() == -7 * H and cp.due_at.tzname() == "MST"
    # warn at 75 % of 4 business hours = 3 h: 1 h 30 Friday + 1 h 30 Monday = Mon 08:30
    assert cp.warn_at == (datetime(2026, 12, 7, 8, 30, tzinfo=DENVER),)
    assert cp.to_json() == {"kind": "first_response", "key": "first_response",
                            "due_at": "2026-12-07T09:30:00-07:00", "state": "pending"}


def test_states_are_judged_at_now():
    pol = load("comensure")
    opened = FRI
    # first response due at +60 min
    assert by_key(pol.timeline("P1", opened, now=opened + 59 * MIN))["first_response"].state == "pending"
    assert by_key(pol.timeline("P1", opened, now=opened + 60 * MIN))["first_response"].state == "breached"
    met = by_key(pol.timeline("P1", opened, now=opened + 2 * H, first_response_at=opened + 30 * MIN))
    assert met["first_response"].state == "met" and met["first_response"].met_at == opened + 30 * MIN
    late = by_key(pol.timeline("P1", opened, now=opened + 2 * H, first_response_at=opened + 90 * MIN))
    assert late["first_response"].state == "breached" and late["first_response"].met_at == opened + 90 * MIN
    # accepting is not responding: the acknowledgement counts once the customer has it
    # (recorded as first_response_at when it is sent), not when the button was pressed
    ack = by_key(pol.timeline("P1", opened, now=opened + 2 * H, acknowledged_at=opened + 10 * MIN))
    assert ack["first_response"].state == "breached" and ack["first_response"].met_at is None


def test_default_now_is_submission():
    cps = load("comensure").timeline("P2", FRI)
    assert {c.key: c.state for c in cps} == {
        "first_response": "pending", "auto_upgrade": "pending", "update": "pending", "workaround": "pending"}


def test_sorted_by_due_at():
    cps = load("comensure").timeline("P1", FRI, now=FRI + 30 * H)
    assert [c.due_at for c in cps] == sorted(c.due_at for c in cps)
    assert cps[0].key == "escalation:1"


def test_naive_instants_are_refused():
    with pytest.raises(PolicyError, match="no time zone"):
        load("comensure").timeline("P1", datetime(2026, 12, 4, 15, 0))
    with pytest.raises(PolicyError, match="not a priority of comensure"):
        load("comensure").timeline("P7", FRI)
    with pytest.raises(PolicyError, match="not a calendar of comensure"):
        load("comensure").timeline("P1", FRI, "mars")


# --------------------------------------------------------------------------- update cadence


def test_update_cadence_every_cycle_up_to_now_plus_the_next():
    pol = load("comensure")
    # P1 "every eight (8) hours from time of submission": cycles end at +8, +16, +24 h ...
    cps = pol.timeline("P1", FRI, now=FRI + 17 * H, updates=[FRI + 3 * H, FRI + 20 * H])
    updates = [c for c in cps if c.kind == "update"]
    assert [(c.key, c.due_at, c.state) for c in updates] == [
        ("update:1", FRI + 8 * H, "met"),        # an update at +3 h
        ("update:2", FRI + 16 * H, "breached"),  # none in (+8, +16]
        ("update:3", FRI + 24 * H, "met"),       # +20 h (a fact already known)
        ("update:4", FRI + 32 * H, "pending"),   # the next one owed
    ]
    assert updates[0].met_at == FRI + 3 * H
    assert updates[3].warn_at == (FRI + 30 * H,)  # 75 % of the cycle (+24 h + 6 h)


def test_resolution_ends_the_cadence_and_the_ladder():
    pol = load("comensure")
    cps = by_key(pol.timeline("P1", FRI, now=FRI + 30 * H, resolved_at=FRI + 6 * H,
                              first_response_at=FRI + 20 * MIN))
    assert cps["update:1"].state == "void"   # due +8 h, resolved at +6 h
    assert "update:2" not in cps
    assert cps["escalation:1"].state == "breached"  # reached at hour 0
    assert cps["escalation:2"].state == "breached"  # reached at hour 5, before the resolution
    assert cps["escalation:3"].state == "void"      # hour 8 comes after the resolution


def test_plan_of_resolution_stops_the_ladder():
    pol = load("comensure")
    cps = by_key(pol.timeline("P1", FRI, now=FRI + 9 * H, plan_at=FRI + 4 * H))
    assert [cps[f"escalation:{n}"].state for n in (1, 2, 3)] == ["breached", "void", "void"]
    assert [cps[f"escalation:{n}"].level for n in (1, 2, 3)] == [1, 2, 3]
    assert cps["escalation:2"].notify == ("directors",)


def test_comensure_ladder_pending_before_its_hours():
    pol = load("comensure")
    cps = by_key(pol.timeline("P1", FRI, now=FRI + 4 * H + 59 * MIN))
    assert [cps[f"escalation:{n}"].state for n in (1, 2, 3)] == ["breached", "pending", "pending"]
    assert cps["escalation:1"].notify == ("support", "production_management", "engineering", "channel")
    assert cps["escalation:3"].due_at == FRI + 8 * H and cps["escalation:3"].notify == ("executives",)


# --------------------------------------------------------------------------- auto-upgrade


def test_comensure_p2_auto_upgrade_unless_identified():
    pol = load("comensure")
    # "If problem identification has not occurred within the timeline outlined [4 hours]"
    pending = by_key(pol.timeline("P2", FRI, now=FRI + 3 * H))
    assert pending["auto_upgrade"].state == "pending" and pending["auto_upgrade"].due_at == FRI + 4 * H
    due = by_key(pol.timeline("P2", FRI, now=FRI + 4 * H))
    assert due["auto_upgrade"].state == "breached"  # time to upgrade
    identified = by_key(pol.timeline("P2", FRI, now=FRI + 5 * H, identified_at=FRI + 3 * H))
    assert identified["auto_upgrade"].state == "void"
    assert identified["auto_upgrade"].met_at == FRI + 3 * H
    # accepting the request is not identifying the problem
    taken = by_key(pol.timeline("P2", FRI, now=FRI + 5 * H, acknowledged_at=FRI + 1 * H))
    assert taken["auto_upgrade"].state == "breached"
    # a plan or a workaround identifies it too
    for fact in ("plan_at", "workaround_at"):
        assert by_key(pol.timeline("P2", FRI, now=FRI + 5 * H, **{fact: FRI + 2 * H}))["auto_upgrade"].state == "void"
    # identified too late: the upgrade was owed
    late = by_key(pol.timeline("P2", FRI, now=FRI + 5 * H, identified_at=FRI + 4 * H + MIN))
    assert late["auto_upgrade"].state == "breached"


def test_after_the_auto_upgrade_p1_applies_from_submission():
    pol = load("comensure")
    # P2 at FRI, replied at +2 h (met under P2's 4 hours), not identified; upgraded to P1 at +4 h.
    cps = by_key(pol.timeline("P2", FRI, now=FRI + 6 * H, priority_changes=[(FRI + 4 * H, "P1")],
                              first_response_at=FRI + 2 * H))
    assert "auto_upgrade" not in cps and "workaround" not in cps
    # the response was met under P2, the priority in force then: it stays met
    assert cps["first_response"].state == "met" and cps["first_response"].priority == "P2"
    # the P1 ladder counts from submission: hour 0 and hour 5 are reached, hour 8 is ahead
    assert [cps[f"escalation:{n}"].state for n in (1, 2, 3)] == ["breached", "breached", "pending"]
    assert cps["escalation:2"].due_at == FRI + 5 * H and cps["escalation:2"].priority == "P1"
    assert cps["update:1"].due_at == FRI + 8 * H


# --------------------------------------------------------------------------- reclassification


def test_reclassification_recomputes_from_the_original_submission():
    pol = load("comensure")
    # P3 opened at FRI, upgraded to P1 at +2 h with no response yet: P1's 60 minutes count
    # from submission, so the response is already late.
    cps = by_key(pol.timeline("P3", FRI, now=FRI + 2 * H, priority_changes=[(FRI + 2 * H, "P1")]))
    assert cps["first_response"].due_at == FRI + H
    assert cps["first_response"].state == "breached" and cps["first_response"].priority == "P1"
    assert "resolution" not in cps  # P1 has no resolution target


def test_downgrade_recomputes_too():
    pol = load("comensure")
    # P1 downgraded to P3 at +30 min; responded at +2 h: under P3 (8 hours) that is on time.
    cps = by_key(pol.timeline("P1", FRI, now=FRI + 3 * H, priority_changes=[(FRI + 30 * MIN, "P3")],
                              first_response_at=FRI + 2 * H))
    assert cps["first_response"].state == "met" and cps["first_response"].priority == "P3"
    assert not any(c.startswith("escalation") for c in cps)


def test_already_met_targets_stay_met_after_an_upgrade():
    pol = load("interopion")
    opened = datetime(2026, 12, 7, 8, 0, tzinfo=DENVER)  # Mon
    # P3 responded at 11:00 (met: 1 business day), upgraded to P1 at 12:00. Under P1 the
    # response was due at 10:00, but it was met under the priority in force then.
    cps = by_key(pol.timeline("P3", opened, now=opened + 5 * H, priority_changes=[(opened + 4 * H, "P1")],
                              first_response_at=opened + 3 * H))
    assert cps["first_response"].state == "met" and cps["first_response"].priority == "P3"
    # the critical notice is new with P1 and counts from submission: 4 hours -> 12:00
    assert cps["critical_notice"].due_at == opened + 4 * H
    assert cps["critical_notice"].state == "breached"
    # the store's 4-tuples (at, from, to, reason) work as well
    same = by_key(pol.timeline("P3", opened, now=opened + 5 * H,
                               priority_changes=[(opened + 4 * H, "P3", "P1", "outage")],
                               first_response_at=opened + 3 * H))
    assert same == cps


# --------------------------------------------------------------------------- waiting on customer


def test_waiting_on_customer_pauses_resolution_by_business_time():
    pol = load("comensure")
    opened = datetime(2026, 12, 4, 15, 0, tzinfo=NY)  # Fri; P3 resolution due Fri 11 Dec 15:00
    wait = (datetime(2026, 12, 7, 9, 0, tzinfo=NY), datetime(2026, 12, 8, 9, 0, tzinfo=NY))
    cps = by_key(pol.timeline("P3", opened, now=datetime(2026, 12, 9, 9, 0, tzinfo=NY), waiting=[wait]))
    # Mon 09:00 -> Tue 09:00 holds 8 business hours: the deadline moves 8 business hours
    # later, from Fri 11 Dec 15:00 (2 h left that day) to Mon 14 Dec 15:00.
    assert cps["resolution"].due_at == datetime(2026, 12, 14, 15, 0, tzinfo=NY)
    assert not cps["resolution"].paused
    # ... but not the first response, which counts waiting time (24x7: 8 hours)
    assert cps["first_response"].due_at == datetime(2026, 12, 4, 23, 0, tzinfo=NY)


def test_waiting_that_has_not_ended_keeps_moving_the_deadline():
    pol = load("comensure")
    opened = datetime(2026, 12, 4, 15, 0, tzinfo=NY)
    start = datetime(2026, 12, 7, 9, 0, tzinfo=NY)
    # still waiting at Mon 13:00: 4 business hours paused so far -> Mon 14 Dec 11:00
    cps = by_key(pol.timeline("P3", opened, now=datetime(2026, 12, 7, 13, 0, tzinfo=NY), waiting=[(start, None)]))
    assert cps["resolution"].due_at == datetime(2026, 12, 14, 11, 0, tzinfo=NY)
    assert cps["resolution"].paused and cps["resolution"].state == "pending"


def test_waiting_after_the_deadline_changes_nothing_and_on_24x7_moves_real_time():
    pol = load("comensure")
    # P2 workaround 5 calendar days from FRI; waiting 2 real hours at +1 day -> +2 h
    cps = by_key(pol.timeline("P2", FRI, waiting=[(FRI + 24 * H, FRI + 26 * H)]))
    assert cps["workaround"].due_at == datetime(2026, 12, 9, 22, 0, tzinfo=UTC)
    late = by_key(pol.timeline("P2", FRI, waiting=[(FRI + 6 * 24 * H, FRI + 7 * 24 * H)]))
    assert late["workaround"].due_at == datetime(2026, 12, 9, 20, 0, tzinfo=UTC)


def test_resolution_meets_the_workaround_and_voids_an_unsent_update():
    pol = load("comensure")
    cps = by_key(pol.timeline("P2", FRI, now=FRI + 30 * H, resolved_at=FRI + 10 * H, acknowledged_at=FRI + H, identified_at=FRI + H))
    assert cps["workaround"].state == "met" and cps["workaround"].met_at == FRI + 10 * H
    assert cps["update"].state == "void"
    assert cps["auto_upgrade"].state == "void"


def test_critical_notice_met_late_and_void_after_resolution():
    pol = load("interopion")
    opened = datetime(2026, 12, 4, 16, 30, tzinfo=DENVER)
    ok = by_key(pol.timeline("P1", opened, now=opened + 5 * H, critical_notice_at=opened + 3 * H))
    assert ok["critical_notice"].state == "met"
    late = by_key(pol.timeline("P1", opened, now=opened + 5 * H, critical_notice_at=opened + 4 * H + MIN))
    assert late["critical_notice"].state == "breached"
    moot = by_key(pol.timeline("P1", opened, now=opened + 5 * H, resolved_at=opened + H))
    assert moot["critical_notice"].state == "void"
    assert moot["first_response"].state == "met"  # a resolution answers the request


# --------------------------------------------------------------------------- explain


def test_explain_in_words_matches_the_issue_example():
    text = load("interopion").explain("P2", datetime(2026, 12, 4, 16, 30, tzinfo=DENVER), kind="first_response")
    assert ("1 h 30 min on Fri 4 Dec until 18:00, then 2 h 30 min on Mon 7 Dec from 07:00: "
            "due Mon 7 Dec 09:30 MST") in text
    assert "4 business hours" in text


def test_explain_opened_while_closed_and_lunch():
    text = load("interzen").explain("P1", datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Europe/Rome")),
                                    kind="first_response")
    assert "Opened while working is closed, so the clock starts at Mon 7 Dec 09:00 CET" in text
    assert "due Mon 7 Dec 10:00 CET" in text
    text = load("interzen").explain("P1", datetime(2026, 12, 7, 12, 30, tzinfo=ZoneInfo("Europe/Rome")),
                                    kind="first_response")
    assert "30 min on Mon 7 Dec until 13:00, then 30 min on Mon 7 Dec from 14:30: due Mon 7 Dec 15:00 CET" in text


def test_explain_24x7_days_waiting_cadence_and_ladder():
    pol = load("comensure")
    text = pol.explain("P1", datetime(2026, 11, 1, 4, 30, tzinfo=UTC), kind="first_response")
    assert "1 h of real time from Sun 1 Nov 00:30 EDT" in text and "due Sun 1 Nov 01:30 EDT" in text
    text = pol.explain("P2", datetime(2026, 10, 30, 12, 0, tzinfo=NY), kind="workaround")
    assert "same wall-clock time 5 days later" in text and "due Wed 4 Nov 12:00 EST" in text
    opened = datetime(2026, 12, 4, 15, 0, tzinfo=NY)
    text = pol.explain("P3", opened, kind="resolution",
                       waiting=[(datetime(2026, 12, 7, 9, 0, tzinfo=NY), datetime(2026, 12, 8, 9, 0, tzinfo=NY))])
    assert "8 h of open time was spent waiting on the customer, so it moves to Mon 14 Dec 15:00 EST" in text
    text = pol.explain("P1", FRI, kind="update", key="update:2", now=FRI + 9 * H)
    assert "status update 2" in text and "from the previous cycle's end at Fri 4 Dec 23:00 EST" in text
    text = pol.explain("P1", FRI, kind="escalation", key="escalation:3")
    assert "escalation level 3 (notify executives)" in text and "due Fri 4 Dec 23:00 EST" in text
    with pytest.raises(PolicyError, match="no critical_notice"):
        pol.explain("P3", FRI, kind="critical_notice")
    with pytest.raises(PolicyError, match="not a kind of checkpoint"):
        pol.explain("P3", FRI, kind="lunch")


def test_explain_a_long_target_stays_short():
    text = load("interzen").explain("P4", datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/Rome")),
                                    kind="resolution")
    assert "228 h over 57 more open periods" in text and "due Mon 18 Jan 12:00 CET" in text
    assert len(text) < 700


# --------------------------------------------------------------------------- calendars


def test_a_target_without_a_calendar_uses_the_requests_calendar():
    pol = parse_policy_text(
        """
title: Two desks
timezone: America/Los_Angeles
calendars:
  us: {timezone: America/Los_Angeles, week: {mon-fri: ["09:00-17:00"]}}
  kr: {timezone: Asia/Seoul, week: {mon-fri: ["09:00-17:00"]}}
  default: us
priorities:
  - {id: S1, label: One, rank: 1, definition: d, targets: {first_response: 2 business hours}}
""")
    opened = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # Mon 09:00 PST = Tue 02:00 KST
    us = pol.timeline("S1", opened, "us")[0]
    kr = pol.timeline("S1", opened, "kr")[0]
    assert us.due_at == datetime(2026, 12, 7, 11, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert kr.due_at == datetime(2026, 12, 8, 11, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    assert kr.due_at.tzname() == "KST" and kr.calendar == "kr"
    assert pol.timeline("S1", opened)[0].due_at == us.due_at  # "default" is "us"
