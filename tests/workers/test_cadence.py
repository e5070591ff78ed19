"""An update cadence keeps its promises for as long as the request is open: every cycle
gets its warning and its breach alert, in order and never early, with no other change
to the request needed; a cycle met by an update gets no breach."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from slackops.config import Config
from slackops.requests import Event

from .conftest import Harness, utcnow

CYCLE = 3.0  # seconds
WARN = 0.25  # the warning, as a fraction of the cycle
CYCLES = 10
MET = 4  # the cycle an update meets

POLICY = f"""\
name: cadence
title: Cadence Desk
timezone: UTC
languages: [en]
calendars:
  24x7:
    hours: 24x7
  default: 24x7
priorities:
  - id: P1
    label: Critical
    rank: 1
    definition: down
    warn_at: [{WARN:g}]
    targets:
      first_response: {{duration: 1 hours, calendar: 24x7}}
      update_every: {{duration: {CYCLE:g} seconds, calendar: 24x7}}
"""


@pytest.fixture
def cadence_config(tmp_path: Path) -> Config:
    p = tmp_path / "cadence.yml"
    p.write_text(POLICY)
    return Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "channels": {1: "C0URGENT"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": "C0ACMESHARED", "policy": str(p)}],
    })


def first_posts(fake, channel: str) -> dict[str, float]:
    """notice id -> when the first message carrying it (alone or in a digest) reached Slack."""
    out: dict[str, float] = {}
    for c in fake.calls_to("chat.postMessage"):
        md = c.params.get("metadata") or {}
        if c.status != 200 or c.params.get("channel") != channel or not isinstance(md, dict):
            continue
        payload = md.get("event_payload") or {}
        for nid in payload.get("notice_ids") or [payload.get("notice_id")]:
            out.setdefault(nid, c.at)
    return out


def carried_counts(fake, channel: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in fake.messages(channel):
        payload = (m.get("metadata") or {}).get("event_payload") or {}
        for nid in payload.get("notice_ids") or [payload.get("notice_id")]:
            counts[nid] = counts.get(nid, 0) + 1
    return counts


def test_ten_cycles_each_warned_and_breached_once_in_order_one_met_by_an_update(
        redis, cadence_config, fake_slack, namespace):
    h = Harness(redis, cadence_config, fake_slack, namespace)
    timer = None
    try:
        req = h.store.open("acme", title="Nightly export stalls", priority="P1", submitted_by="U0ACME1",
                           now=utcnow())
        start = req.submitted_at.timestamp()
        # early in cycle MET, before its warning: on a timer of its own, however busy the machine
        update_at = start + (MET - 1) * CYCLE + 0.3 * WARN * CYCLE
        timer = threading.Timer(update_at - time.time(), lambda: h.store.apply(
            req.id, Event(type="update_posted", actor="U0AGENT1", at=utcnow(), data={"text": "still on it"})))
        timer.start()
        expect: dict[str, float] = {}  # notice id -> its instant
        for k in range(1, CYCLES + 1):
            if k == MET:
                continue
            expect[f"{req.id}|update:{k}|warn:{WARN:g}|C0URGENT"] = start + (k - 1 + WARN) * CYCLE
            expect[f"{req.id}|update:{k}|due|C0URGENT"] = start + k * CYCLE
        end = start + CYCLES * CYCLE + 20
        while time.time() < end:
            h.step()
            if set(expect) <= set(first_posts(fake_slack, "C0URGENT")):
                break
            time.sleep(0.05)
        h.store.apply(req.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))
        h.run_for(1.5)  # anything doubled would land by now
    finally:
        if timer is not None:
            timer.cancel()
        h.stop()
    times = first_posts(fake_slack, "C0URGENT")
    ours = {nid: t for nid, t in times.items() if nid and "|update:" in nid}
    missing = set(expect) - set(ours)
    assert not missing, sorted(missing)
    # cycle MET was met by the update: no breach (and no warning: it came before the warning)
    assert not [nid for nid in ours if f"|update:{MET}|" in nid]
    # nothing else but later cycles' (the request stayed open until all ten were in), none early
    later = {nid: t for nid, t in ours.items() if nid not in expect}
    assert all(int(nid.split("|")[1].split(":")[1]) > CYCLES for nid in later), sorted(later)
    for nid, t in later.items():
        k = int(nid.split("|")[1].split(":")[1])
        assert t >= start + (k - (1 - WARN if "|warn:" in nid else 0)) * CYCLE - 0.01, nid
    # once each
    counts = carried_counts(fake_slack, "C0URGENT")
    assert {nid: n for nid, n in counts.items() if n != 1} == {}
    # never early (a little slack for the fake's clock being read after the request arrived)
    early = {nid: round(ours[nid] - at, 3) for nid, at in expect.items() if ours[nid] < at - 0.01}
    assert early == {}
    # in order: cycle by cycle, the warning before the breach
    order = sorted(expect, key=lambda nid: ours[nid])
    assert order == sorted(expect, key=lambda nid: expect[nid])
    # the update is in the history; the store's alarms moved on past it
    assert any(e.type == "update_posted" for e in h.store.history(req.id))
