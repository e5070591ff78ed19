"""Properties of every timeline of every preset, over random instants across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackops.policy import list_presets, load

START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_MIN = 2 * 365 * 24 * 60  # 2026-2027: four US and four EU DST changes

PRESETS = {name: load(name) for name in list_presets()}


@st.composite
def requests(draw):
    name = draw(st.sampled_from(sorted(PRESETS)))
    pol = PRESETS[name]
    pid = draw(st.sampled_from([p.id for p in pol.priorities]))
    cal = draw(st.sampled_from(sorted(pol.calendars)))
    submitted = START + timedelta(minutes=draw(st.integers(0, SPAN_MIN)))
    now = submitted + timedelta(minutes=draw(st.integers(0, 60 * 24 * 40)))
    facts = {}
    if draw(st.booleans()):
        facts["first_response_at"] = submitted + timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    if draw(st.booleans()):
        facts["resolved_at"] = submitted + timedelta(minutes=draw(st.integers(0, 60 * 24 * 20)))
    if draw(st.booleans()):
        ws = submitted + timedelta(minutes=draw(st.integers(0, 60 * 24 * 5)))
        we = None if draw(st.booleans()) else ws + timedelta(minutes=draw(st.integers(1, 60 * 24 * 3)))
        facts["waiting"] = [(ws, we)]
    if draw(st.booleans()):
        others = [p.id for p in pol.priorities if p.id != pid]
        facts["priority_changes"] = [
            (submitted + timedelta(minutes=draw(st.integers(0, 600))), draw(st.sampled_from(others)))]
    return pol, pid, submitted, cal, now, facts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_timeline_invariants(req):
    pol, pid, submitted, cal, now, facts = req
    cps = pol.timeline(pid, submitted, cal, now=now, **facts)
    stamps = [c.due_at.timestamp() for c in cps]
    assert stamps == sorted(stamps)
    keys = [c.key for c in cps]
    assert len(keys) == len(set(keys))
    done = {"first_response": facts.get("first_response_at"), "resolution": facts.get("resolved_at")}
    for c in cps:
        assert c.due_at >= submitted
        assert c.state in ("pending", "met", "breached", "void")
        assert c.due_at.tzinfo is not None
        if c.state == "pending":
            assert c.due_at > now and c.met_at is None
        if c.state == "met":
            assert c.met_at is not None
        for w in c.warn_at:
            assert submitted <= w <= c.due_at
        if c.kind in done and done[c.kind] is None and c.kind != "first_response":
            assert c.state in ("pending", "breached", "void")
        assert c.to_json()["due_at"] == c.due_at.isoformat()
    # every checkpoint can be explained in words
    for c in cps[:4]:
        text = pol.explain(pid, submitted, cal, kind=c.kind, key=c.key, now=now, **facts)
        assert "due " in text and "State: " in text
