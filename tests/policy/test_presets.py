"""The five presets: their numbers against the seeds, and deadlines worked out by hand.

Calendars in 2026: US DST starts Sun 8 Mar and ends Sun 1 Nov; EU DST starts Sun 29 Mar
and ends Sun 25 Oct; Korea has none. Each expected instant below is derived in a comment
from the source document's sentence and the time semantics in docs/policy.md.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slackops.policy import list_presets, load

DENVER = ZoneInfo("America/Denver")
LA = ZoneInfo("America/Los_Angeles")
SEOUL = ZoneInfo("Asia/Seoul")
ROME = ZoneInfo("Europe/Rome")
NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def due(policy, priority, opened, kind="first_response", calendar="default", **facts):
    cps = load(policy).timeline(priority, opened, calendar, **facts)
    found = [c for c in cps if c.key == kind]
    assert found, f"no {kind} in {[c.key for c in cps]}"
    return found[0].due_at


def test_the_five_presets_ship_with_the_ids_of_the_spec():
    assert list_presets() == ["comensure", "interactor", "interopion", "interzen", "ixcloud"]
    ids = {name: [p.id for p in load(name).priorities] for name in list_presets()}
    assert ids == {
        "interopion": ["P1", "P2", "P3"],
        "ixcloud": ["S1", "S2", "S3", "S4"],
        "interactor": ["S1", "S2", "S3", "S4"],
        "interzen": ["P1", "P2", "P3", "P4"],
        "comensure": ["P1", "P2", "P3"],
    }
    for name in list_presets():
        pol = load(name)
        assert pol.name == name
        assert "default" in pol.calendars
        assert [p.rank for p in pol.priorities] == sorted(p.rank for p in pol.priorities)


def test_every_number_in_a_preset_carries_a_comment_or_a_default_flag():
    # Every line of a preset that holds a duration is preceded (within the same block) by a
    # comment quoting the seed, or is itself marked `default: true`.
    from slackops.policy.loader import preset_path

    for name in list_presets():
        lines = preset_path(name).read_text().splitlines()
        for i, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith("#") or not any(u in stripped for u in ("hour", "day", "minute")):
                continue
            if not any(k in stripped for k in ("first_response", "resolution", "update", "workaround",
                                               "critical_notice", "after:", "duration:",
                                               "notice_outside_window")):
                continue
            before = lines[max(0, i - 8): i + 4]
            assert any(b.strip().startswith("#") for b in before) or any("default: true" in b for b in before), (
                f"{name}.yml line {i + 1} has no comment quoting the seed: {line}"
            )


# --------------------------------------------------------------------------- Interopion


def test_interopion_numbers_and_rules():
    pol = load("interopion")
    assert pol.timezone == "America/Denver"
    assert pol.languages == ["en"]
    p1, p2, p3 = pol.priorities
    assert (p1.targets["first_response"].text, p1.targets["first_response"].calendar) == ("2 hours", "24x7")
    assert p1.targets["critical_notice"].text == "4 hours"
    assert p2.targets["first_response"].text == "4 business hours"
    assert p3.targets["first_response"].text == "1 business day"
    assert pol.calendars["default"] is pol.calendars["business"]
    assert pol.calendars["business"].working_day == 11 * H  # 07:00-18:00
    i = pol.intake
    assert i.phi_guard and i.feature_requests_close and i.customer_sets_priority
    assert i.who_may_open == "contacts"
    assert i.reclassification_must_be_told and i.reclassification_appeal_to == "support_management"
    assert pol.defaults_flagged == []


def test_interopion_p2_opened_friday_afternoon_runs_into_monday():
    # 4 business hours from Fri 4 Dec 16:30 MST: 1 h 30 min until 18:00, then 2 h 30 min
    # from Mon 7 Dec 07:00: Mon 7 Dec 09:30 MST (the issue's own example).
    assert due("interopion", "P2", datetime(2026, 12, 4, 16, 30, tzinfo=DENVER)) == datetime(
        2026, 12, 7, 9, 30, tzinfo=DENVER)


def test_interopion_p2_opened_on_a_weekend_starts_at_the_next_opening():
    # Sat 5 Dec 10:00: closed; the clock starts Mon 7 Dec 07:00; + 4 h = 11:00 MST.
    assert due("interopion", "P2", datetime(2026, 12, 5, 10, 0, tzinfo=DENVER)) == datetime(
        2026, 12, 7, 11, 0, tzinfo=DENVER)


def test_interopion_p2_opened_before_hours():
    # Tue 8 Dec 05:00: the clock starts 07:00; + 4 h = 11:00.
    assert due("interopion", "P2", datetime(2026, 12, 8, 5, 0, tzinfo=DENVER)) == datetime(
        2026, 12, 8, 11, 0, tzinfo=DENVER)


def test_interopion_deadline_exactly_on_closing_time_is_that_closing_time():
    # Mon 7 Dec 14:00 + 4 business hours = 18:00 the same day, not Tue 07:00.
    assert due("interopion", "P2", datetime(2026, 12, 7, 14, 0, tzinfo=DENVER)) == datetime(
        2026, 12, 7, 18, 0, tzinfo=DENVER)


def test_interopion_p3_one_business_day_is_eleven_business_hours():
    # Tue 8 Dec 10:00: 8 h until 18:00, then 3 h from Wed 07:00: Wed 9 Dec 10:00.
    assert due("interopion", "P3", datetime(2026, 12, 8, 10, 0, tzinfo=DENVER)) == datetime(
        2026, 12, 9, 10, 0, tzinfo=DENVER)


def test_interopion_business_hours_name_no_holidays():
    # "Business Hours ... means 07:00 to 18:00 on Monday to Friday Mountain Time": no
    # holiday exclusion, so Fri 25 Dec 09:00 + 4 business hours = 13:00 the same day.
    assert due("interopion", "P2", datetime(2026, 12, 25, 9, 0, tzinfo=DENVER)) == datetime(
        2026, 12, 25, 13, 0, tzinfo=DENVER)


def test_interopion_p1_is_24x7_and_real_time_across_dst():
    # Spring: Sun 8 Mar 01:30 MST (08:30 UTC) + 2 real hours = 10:30 UTC = 04:30 MDT.
    got = due("interopion", "P1", datetime(2026, 3, 8, 1, 30, tzinfo=DENVER))
    assert got == datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    assert (got.hour, got.minute, got.tzname()) == (4, 30, "MDT")
    # Fall: Sun 1 Nov 00:30 MDT (06:30 UTC) + 2 h = 08:30 UTC = 01:30 MST (the second 01:30).
    got = due("interopion", "P1", datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    assert got == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert (got.hour, got.minute, got.tzname()) == (1, 30, "MST")
    # Saturday night: Sat 5 Dec 23:00 + 2 h = Sun 6 Dec 01:00 (24x7 ignores the weekend).
    assert due("interopion", "P1", datetime(2026, 12, 5, 23, 0, tzinfo=DENVER)) == datetime(
        2026, 12, 6, 1, 0, tzinfo=DENVER)


def test_interopion_business_hours_across_dst_both_ways():
    # Fri 6 Mar 16:00 MST: 2 h until 18:00; Mon 9 Mar (now MDT) 07:00 + 2 h = 09:00 MDT.
    assert due("interopion", "P2", datetime(2026, 3, 6, 16, 0, tzinfo=DENVER)) == datetime(
        2026, 3, 9, 9, 0, tzinfo=DENVER)
    # Fri 30 Oct 16:00 MDT: 2 h until 18:00; Mon 2 Nov (now MST) 07:00 + 2 h = 09:00 MST.
    got = due("interopion", "P2", datetime(2026, 10, 30, 16, 0, tzinfo=DENVER))
    assert got == datetime(2026, 11, 2, 9, 0, tzinfo=DENVER)
    assert got.tzname() == "MST"


def test_interopion_critical_notice_within_four_hours_for_p1():
    # "notification of critical issues directly to Customer Contacts within 4 hours":
    # Fri 4 Dec 16:30 MST + 4 h = 20:30 MST, real time (out of business hours is fine).
    assert due("interopion", "P1", datetime(2026, 12, 4, 16, 30, tzinfo=DENVER), "critical_notice") == datetime(
        2026, 12, 4, 20, 30, tzinfo=DENVER)
    kinds = [c.kind for c in load("interopion").timeline("P2", datetime(2026, 12, 4, 16, 30, tzinfo=DENVER))]
    assert "critical_notice" not in kinds


def test_interopion_maintenance_window_and_notice():
    m = load("interopion").maintenance
    assert m is not None
    # "Maintenance Window ... 19:00 - 04:00 US Mountain time zone": crosses midnight
    assert m.in_window(datetime(2026, 12, 4, 23, 0, tzinfo=DENVER))
    assert m.in_window(datetime(2026, 12, 5, 3, 59, tzinfo=DENVER))
    assert not m.in_window(datetime(2026, 12, 5, 4, 0, tzinfo=DENVER))
    assert not m.in_window(datetime(2026, 12, 4, 18, 59, tzinfo=DENVER))
    assert m.notice_needed(datetime(2026, 12, 4, 20, 0, tzinfo=DENVER)) is None
    assert m.notice_needed(datetime(2026, 12, 4, 12, 0, tzinfo=DENVER)).text == "7 days"
    assert m.notice_needed(datetime(2026, 12, 4, 12, 0, tzinfo=DENVER), emergency=True) is None


# --------------------------------------------------------------------------- IXCloud


def test_ixcloud_numbers_and_rules():
    pol = load("ixcloud")
    t = {p.id: p.targets["first_response"].text for p in pol.priorities}
    assert t == {"S1": "1 hour", "S2": "2 hours", "S3": "3 days", "S4": "3 days"}
    assert pol.priority("S4").targets["first_response"].default
    assert any("priorities[3].targets.first_response" in d for d in pol.defaults_flagged)
    i = pol.intake
    assert i.needs_24x7_contact == ("S1",) and i.upgrade_needs_justification
    assert i.who_may_open == "contacts"
    assert i.customer_escalation is not None and i.customer_escalation.notify == ("escalation_manager",)
    assert pol.is_upgrade("S3", "S1") and not pol.is_upgrade("S1", "S2")


def test_ixcloud_response_goals_are_24x7():
    # Sat 5 Dec 23:30 UTC: S1 + 1 h = Sun 00:30; S2 + 2 h = Sun 01:30; S3 + 3 days = Tue 8 Dec 23:30.
    opened = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    assert due("ixcloud", "S1", opened) == datetime(2026, 12, 6, 0, 30, tzinfo=UTC)
    assert due("ixcloud", "S2", opened) == datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
    assert due("ixcloud", "S3", opened) == datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    assert due("ixcloud", "S4", opened) == datetime(2026, 12, 8, 23, 30, tzinfo=UTC)


# --------------------------------------------------------------------------- Interactor


def test_interactor_calendars_are_the_customers_choice():
    pol = load("interactor")
    assert pol.calendars["us"].tz == "America/Los_Angeles"
    assert pol.calendars["kr"].tz == "Asia/Seoul"
    assert pol.calendars["default"] is pol.calendars["us"]
    assert pol.intake.not_an_error_allowed
    # the response table is missing from the seed: all four targets are flagged defaults
    assert all(p.targets["first_response"].default for p in pol.priorities)
    assert sum("targets.first_response" in d for d in pol.defaults_flagged) == 4


def test_interactor_us_thanksgiving_is_closed():
    # Thu 26 Nov 2026 is Thanksgiving (US): closed. Fri 27 Nov is a working day: the clock
    # starts 09:00; S2 4 business hours (default) -> Fri 27 Nov 13:00 PST.
    assert due("interactor", "S2", datetime(2026, 11, 26, 10, 0, tzinfo=LA), calendar="us") == datetime(
        2026, 11, 27, 13, 0, tzinfo=LA)


def test_interactor_kr_chuseok_is_closed_and_the_same_instant_differs_on_us():
    # Thu 24 Sep 2026 10:00 KST: Chuseok holidays Thu 24 - Sat 26 Sep, then Sunday; the
    # clock starts Mon 28 Sep 09:00 KST; S2 + 4 business hours = 13:00 KST.
    opened = datetime(2026, 9, 24, 10, 0, tzinfo=SEOUL)
    assert due("interactor", "S2", opened, calendar="kr") == datetime(2026, 9, 28, 13, 0, tzinfo=SEOUL)
    # The same instant is Wed 23 Sep 18:00 PDT: closed; Thu 24 Sep 09:00 + 4 h = 13:00 PDT.
    assert due("interactor", "S2", opened, calendar="us") == datetime(2026, 9, 24, 13, 0, tzinfo=LA)


def test_interactor_kr_alternative_holiday_and_hangul_day():
    # Fri 2 Oct 16:00 KST: 1 h until 17:00; Sat/Sun; Mon 5 Oct is the alternative holiday
    # for National Foundation Day; Tue 6 Oct 09:00 + 7 h = 16:00 (S3: 1 business day = 8 h).
    assert due("interactor", "S3", datetime(2026, 10, 2, 16, 0, tzinfo=SEOUL), calendar="kr") == datetime(
        2026, 10, 6, 16, 0, tzinfo=SEOUL)


def test_interactor_us_business_hours_across_dst():
    # Sun 8 Mar 2026 (DST starts): closed; Mon 9 Mar 09:00 PDT + 1 business hour (S1) = 10:00 PDT.
    got = due("interactor", "S1", datetime(2026, 3, 8, 12, 0, tzinfo=LA), calendar="us")
    assert got == datetime(2026, 3, 9, 10, 0, tzinfo=LA) and got.tzname() == "PDT"
    # Fri 30 Oct 15:00 PDT: 2 h until 17:00; Mon 2 Nov 09:00 PST + 6 h = 15:00 PST (S3).
    got = due("interactor", "S3", datetime(2026, 10, 30, 15, 0, tzinfo=LA), calendar="us")
    assert got == datetime(2026, 11, 2, 15, 0, tzinfo=LA) and got.tzname() == "PST"


# --------------------------------------------------------------------------- Interzen


def test_interzen_numbers_categories_and_languages():
    pol = load("interzen")
    table = {p.id: (p.targets["first_response"].text, p.targets["resolution"].text) for p in pol.priorities}
    assert table == {
        "P1": ("1 working hour", "1 working day"),
        "P2": ("4 working hours", "2 working days"),
        "P3": ("8 working hours", "5 working days"),
        "P4": ("16 working hours", "30 business days"),
    }
    assert pol.languages == ["en", "it"]
    assert [c.label("en") for c in pol.categories] == [
        "Bug or malfunction", "Evolutionary modification", "Help desk", "Intervention to be invoiced",
        "Intervention not accepted by the customer", "Not within Interzen's jurisdiction",
        "Vulnerability detected",
    ]
    assert all(c.labels.get("it") for c in pol.categories)
    assert pol.calendars["default"].working_day == 8 * H
    assert pol.intake.notify_on == ("acceptance", "closure")
    assert pol.intake.answer_in_request_language
    assert set(pol.critical_notice_text) == {"en", "it"}
    assert any("working day" in d for d in pol.defaults_flagged)


def test_interzen_across_the_lunch_break():
    # Mon 7 Dec 12:30 CET: 30 min until 13:00, then 30 min from 14:30: P1 charge taking at 15:00.
    assert due("interzen", "P1", datetime(2026, 12, 7, 12, 30, tzinfo=ROME)) == datetime(
        2026, 12, 7, 15, 0, tzinfo=ROME)


def test_interzen_deadline_on_the_lunch_closing_is_13_00():
    # Mon 7 Dec 12:00 + 1 working hour = 13:00 (a closing time), not 14:30.
    assert due("interzen", "P1", datetime(2026, 12, 7, 12, 0, tzinfo=ROME)) == datetime(
        2026, 12, 7, 13, 0, tzinfo=ROME)
    # Mon 14 Dec 14:30 + 4 working hours = 18:30 exactly.
    assert due("interzen", "P2", datetime(2026, 12, 14, 14, 30, tzinfo=ROME)) == datetime(
        2026, 12, 14, 18, 30, tzinfo=ROME)


def test_interzen_italian_holiday_and_one_working_day_is_eight_hours():
    # Mon 7 Dec 12:30: 30 min + 4 h = 4 h 30 min on Monday; Tue 8 Dec is the Immaculate
    # Conception (IT holiday); Wed 9 Dec 09:00 + 3 h 30 min = 12:30. P1 resolution: 8 h.
    assert due("interzen", "P1", datetime(2026, 12, 7, 12, 30, tzinfo=ROME), "resolution") == datetime(
        2026, 12, 9, 12, 30, tzinfo=ROME)
    # P2 charge taking, Mon 7 Dec 16:30: 2 h until 18:30; holiday; Wed 9 Dec 09:00 + 2 h = 11:00.
    assert due("interzen", "P2", datetime(2026, 12, 7, 16, 30, tzinfo=ROME)) == datetime(
        2026, 12, 9, 11, 0, tzinfo=ROME)


def test_interzen_thirty_business_days_counted_by_hand():
    # P4: 30 x 8 = 240 working hours from Tue 1 Dec 12:00. Tue: 1 h + 4 h = 5 h; 235 h left
    # = 29 days + 3 h. Working days: Dec 2-4 (3), 7 (4), [8 holiday], 9-11 (7), 14-18 (12),
    # 21-24 (16), [25 Christmas], 28-31 (20), [1 Jan], 4-5 Jan (22), [6 Epiphany], 7-8 (24),
    # 11-15 (29): Fri 15 Jan 18:30; + 3 h on Mon 18 Jan = 12:00 CET.
    assert due("interzen", "P4", datetime(2026, 12, 1, 12, 0, tzinfo=ROME), "resolution") == datetime(
        2027, 1, 18, 12, 0, tzinfo=ROME)


def test_interzen_configured_closure():
    # Fri 7 Aug 16:30 CEST + 4 working hours: 2 h until 18:30; without a closure Mon 10 Aug
    # 09:00 + 2 h = 11:00; with the operator's August closure 10-21 Aug, Mon 24 Aug 11:00.
    opened = datetime(2026, 8, 7, 16, 30, tzinfo=ROME)
    assert due("interzen", "P2", opened) == datetime(2026, 8, 10, 11, 0, tzinfo=ROME)
    closed = load("interzen", closures=["2026-08-10..2026-08-21"])
    got = [c for c in closed.timeline("P2", opened) if c.kind == "first_response"][0].due_at
    assert got == datetime(2026, 8, 24, 11, 0, tzinfo=ROME)
    assert closed.calendars["default"].closures
    assert not load("interzen").calendars["default"].closures  # the cached preset is untouched


def test_interzen_business_hours_across_eu_dst():
    # Fri 27 Mar 15:00 CET: 3 h 30 min until 18:30; Mon 30 Mar (CEST) 4 h in the morning
    # (7 h 30 min), then 30 min from 14:30: P3 (8 working hours) at 15:00 CEST.
    got = due("interzen", "P3", datetime(2026, 3, 27, 15, 0, tzinfo=ROME))
    assert got == datetime(2026, 3, 30, 15, 0, tzinfo=ROME) and got.tzname() == "CEST"
    # Fri 23 Oct 15:00 CEST the same way: Mon 26 Oct 15:00 CET.
    got = due("interzen", "P3", datetime(2026, 10, 23, 15, 0, tzinfo=ROME))
    assert got == datetime(2026, 10, 26, 15, 0, tzinfo=ROME) and got.tzname() == "CET"


# --------------------------------------------------------------------------- Comensure


def test_comensure_numbers():
    pol = load("comensure")
    p1, p2, p3 = pol.priorities
    assert p1.targets["first_response"].text == "60 minutes"
    assert p1.targets["update_every"].text == "8 hours"
    assert [(s.level, s.after.text, s.notify) for s in p1.escalation] == [
        (1, "0 hours", ("support", "production_management", "engineering", "channel")),
        (2, "5 hours", ("directors",)),
        (3, "8 hours", ("executives",)),
    ]
    assert all(s.unless == ("resolved", "plan") for s in p1.escalation)
    assert p2.targets["first_response"].text == "4 hours"
    assert p2.targets["workaround"].text == "5 calendar days"
    assert p2.targets["update"].text == "24 hours"
    assert p2.auto_upgrade is not None and (p2.auto_upgrade.to, p2.auto_upgrade.after.text) == ("P1", "4 hours")
    assert p3.targets["first_response"].text == "8 hours"
    assert (p3.targets["resolution"].text, p3.targets["resolution"].calendar) == ("5 business days", "business")
    assert pol.uptime is not None and pol.uptime.target_percent == 99 and pol.uptime.credits_default
    assert pol.uptime.credit_for(99.5) == 0 and pol.uptime.credit_for(98.5) == 5
    assert any(d.startswith("uptime.credits") for d in pol.defaults_flagged)


def test_comensure_p1_ladder_and_cadence_across_the_fall_dst_change():
    # Sun 1 Nov 00:30 EDT = 04:30 UTC. Hours are real hours: first response 05:30 UTC
    # (01:30 EDT); level 2 at hour 5 = 09:30 UTC (04:30 EST); level 3 and update 1 at hour 8
    # = 12:30 UTC (07:30 EST); update 2 at 20:30 UTC.
    opened = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)
    cps = load("comensure").timeline("P1", opened, now=opened + 9 * H)
    got = {c.key: c.due_at for c in cps}
    assert got == {
        "escalation:1": opened,
        "first_response": opened + H,
        "escalation:2": opened + 5 * H,
        "escalation:3": opened + 8 * H,
        "update:1": opened + 8 * H,
        "update:2": opened + 16 * H,
    }
    assert f"{got['escalation:2']:%H:%M %Z}" == "04:30 EST"


def test_comensure_p2_workaround_five_calendar_days_across_dst():
    # Spring: Fri 6 Mar 12:00 EST + 5 calendar days = Wed 11 Mar 12:00 EDT (119 real hours).
    got = due("comensure", "P2", datetime(2026, 3, 6, 12, 0, tzinfo=NY), "workaround")
    assert got == datetime(2026, 3, 11, 12, 0, tzinfo=NY)
    assert got - datetime(2026, 3, 6, 17, 0, tzinfo=UTC) == 119 * H
    # Fall: Fri 30 Oct 12:00 EDT + 5 calendar days = Wed 4 Nov 12:00 EST (121 real hours).
    got = due("comensure", "P2", datetime(2026, 10, 30, 12, 0, tzinfo=NY), "workaround")
    assert got == datetime(2026, 11, 4, 12, 0, tzinfo=NY)
    assert got - datetime(2026, 10, 30, 16, 0, tzinfo=UTC) == 121 * H
    # the single update target: 24 (real) hours after receipt
    assert due("comensure", "P2", datetime(2026, 10, 31, 12, 0, tzinfo=NY), "update") == datetime(
        2026, 11, 1, 16, 0, tzinfo=UTC)


def test_comensure_p3_five_business_days():
    # Fri 4 Dec 15:00 EST: 2 h until 17:00, Mon-Thu 4 x 8 h = 32 h (34 h), 6 h on Fri 11 Dec:
    # 15:00 EST (40 business hours = 5 x 8).
    assert due("comensure", "P3", datetime(2026, 12, 4, 15, 0, tzinfo=NY), "resolution") == datetime(
        2026, 12, 11, 15, 0, tzinfo=NY)
    # the first response stays 24x7: 8 real hours
    assert due("comensure", "P3", datetime(2026, 12, 4, 15, 0, tzinfo=NY)) == datetime(
        2026, 12, 4, 23, 0, tzinfo=NY)
