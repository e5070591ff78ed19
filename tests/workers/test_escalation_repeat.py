"""An escalation step with ``repeat``: its DMs and channel ping go out again until one of its
people acknowledges it (the app's button), the request is resolved or a plan is recorded;
each repeat exactly once, never early, across a worker killed between two repeats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from slackops.config import Config
from slackops.requests import Event
from tests.workers import storm

from .conftest import Harness, carried, notices, post_times, utcnow
from .slackapp import App

POLICY = """\
name: repeatdesk
title: Repeat Desk
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
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
    escalation:
      - level: 1
        after: 2 seconds
        notify: [directors, channel]
        repeat: {every: REPEAT_EVERY, times: 2}
"""

SHARED = "C0ACMESHARED"


def _config(tmp_path: Path, every: str = "2 seconds") -> tuple[Config, Path]:
    pol = tmp_path / "repeatdesk.yml"
    pol.write_text(POLICY.replace("REPEAT_EVERY", every))
    cfg = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "managers": {"directors": ["U0DIR1", "U0DIR2"]},
        "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(pol), "contacts": ["U0ACME1"]}],
    })
    path = tmp_path / "slackops.yml"
    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
    return cfg, path


@pytest.fixture
def harness(redis, fake_slack, namespace, tmp_path) -> Iterator[Harness]:
    cfg, _ = _config(tmp_path)
    h = Harness(redis, cfg, fake_slack, namespace)
    try:
        yield h
    finally:
        h.stop()


def _open(h: Harness):
    req = h.store.open("acme", title="Checkout down", priority="P1", submitted_by="U0ACME1", now=utcnow())
    h.card(req)
    return req


def _ids(req, dest: str) -> list[str]:
    return [f"{req.id}|escalation:1|due|{dest}", f"{req.id}|escalation:1:repeat:1|due|{dest}",
            f"{req.id}|escalation:1:repeat:2|due|{dest}"]


def test_a_step_with_repeat_sends_one_plus_times_at_their_instants(harness, fake_slack):
    h = harness
    req = _open(h)
    assert h.run_until(lambda: len(carried(fake_slack, "D0DIR2")) >= 3, timeout=20)
    h.run_for(2.5)  # nothing more comes
    start = req.submitted_at.timestamp()
    times = post_times(fake_slack)
    for dest in ("D0DIR1", "D0DIR2", "C0URGENT"):
        ids = _ids(req, dest.replace("D0", "U0") if dest.startswith("D") else dest)
        assert sorted(carried(fake_slack, dest)) == sorted(ids), dest
        for nid, after in zip(ids, (2, 4, 6), strict=True):
            assert times[nid] >= start + after - 0.01, (nid, times[nid] - start)
    dm = notices(fake_slack, "D0DIR1")
    assert "Reminder 2 of 2" in dm[-1]["text"] and "esc_acknowledge" in str(dm[-1]["blocks"])
    # the step was recorded once; its repeats change nothing in the request
    assert [e.data["level"] for e in h.store.history(req.id) if e.type == "escalated"] == [1]


def test_acknowledgement_stops_the_repeats_and_updates_the_other_dms(harness, fake_slack):
    from slackops.operations.metrics import ESCALATION_ACK

    h = harness
    app = App(h, fake_slack, publish=True)  # the publisher updates the level's other DMs
    before = _observed(ESCALATION_ACK)
    try:
        req = _open(h)
        assert h.run_until(lambda: len(notices(fake_slack, "D0DIR1")) >= 1 and len(notices(fake_slack, "D0DIR2")) >= 1,
                           timeout=10)
        dm = notices(fake_slack, "D0DIR1")[0]
        app.driver.block_action("esc_acknowledge", json.dumps({"r": req.id, "l": 1}), user_id="U0DIR1",
                                channel_id="D0DIR1", message=dm)
        assert h.run_until(lambda: h.store.get(req.id).escalation_acknowledged == 1, timeout=5)
        assert h.run_until(lambda: "Acknowledged by <@U0DIR1>" in notices(fake_slack, "D0DIR2")[0]["text"], timeout=5)
        h.run_for(5.0)  # both repeats' instants pass
        assert carried(fake_slack, "D0DIR1") == [_ids(req, "U0DIR1")[0]]
        assert carried(fake_slack, "D0DIR2") == [_ids(req, "U0DIR2")[0]]
        other = notices(fake_slack, "D0DIR2")[0]
        assert "esc_acknowledge" not in str(other["blocks"]) and "Escalation level 1" in str(other["blocks"])
        [ack] = [e for e in h.store.history(req.id) if e.type == "escalation_acknowledged"]
        assert (ack.actor, ack.data["level"]) == ("U0DIR1", 1)
        # the time it took is measured (slackops_escalation_ack_seconds)
        from slackops.operations.metrics import ESCALATION_ACK

        assert _observed(ESCALATION_ACK) > before
        # the agents' card says who acknowledged it
        from slackops.slack.blocks.card_agents import agents_card

        r = h.store.get(req.id)
        card = agents_card(r, h.store.timeline(r, utcnow()), policy=h.store.policy(r.policy), now=utcnow(),
                           account_name="Acme", thread_link=None)
        assert "*Acknowledged*\\n<@U0DIR1>" in json.dumps(card) and "(level 1)" in json.dumps(card)
    finally:
        app.stop()


@pytest.mark.parametrize("stop", ["resolved", "plan"])
def test_a_resolution_or_a_plan_stops_the_repeats(harness, fake_slack, stop):
    h = harness
    req = _open(h)
    assert h.run_until(lambda: len(notices(fake_slack, "D0DIR1")) >= 1, timeout=10)
    if stop == "resolved":
        h.store.apply(req.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))
    else:
        h.store.apply(req.id, Event(type="plan_recorded", actor="U0AGENT1", at=utcnow(),
                                    data={"text": "patch tonight"}))
    h.run_for(5.0)
    assert carried(fake_slack, "D0DIR1") == [_ids(req, "U0DIR1")[0]]
    assert [n for n in carried(fake_slack, "C0URGENT") if ":repeat:" in n] == []


def test_each_repeat_once_across_a_worker_killed_between_two_repeats(redis, redis_server, namespace, fake_slack,
                                                                     tmp_path):
    from slackops.requests import RequestStore

    cfg, cfg_file = _config(tmp_path, every="4 seconds")
    store = RequestStore(redis, cfg, prefix=namespace)
    a = storm.start_worker(cfg_file, redis_server.url, fake_slack, namespace, tmp_path, "a")
    b = storm.start_worker(cfg_file, redis_server.url, fake_slack, namespace, tmp_path, "b", warm=True)
    try:
        assert storm.ready(redis, namespace, tmp_path, warm="b"), storm.log_tail(tmp_path, "a", "b")
        req = store.open("acme", title="Checkout down", priority="P1", submitted_by="U0ACME1", now=utcnow())
        first = f"{req.id}|escalation:1:repeat:1|due|U0DIR1"
        assert _wait(lambda: first in storm.delivered(fake_slack), 30), storm.log_tail(tmp_path, "a")
        storm.reap(a)  # SIGKILL, between the first repeat and the second
        storm.go(b)
        last = f"{req.id}|escalation:1:repeat:2|due|U0DIR1"
        assert _wait(lambda: last in storm.delivered(fake_slack), 30), storm.log_tail(tmp_path, "a", "b")
        _wait(lambda: False, 2.0)
        got = storm.delivered(fake_slack)
        at = storm.first_call(fake_slack)
        start = req.submitted_at.timestamp()
        for dest in ("U0DIR1", "U0DIR2", "C0URGENT"):
            for nid, after in zip(_ids(req, dest), (2, 6, 10), strict=True):
                assert got[nid] == 1, (nid, got[nid])
                assert at[nid] >= start + after - 0.01, (nid, at[nid] - start)
    finally:
        storm.reap(a)
        storm.reap(b)


def _wait(cond, timeout: float) -> bool:
    import time

    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def _observed(histogram) -> float:
    """How many acknowledgements of acme P1 level 1 the histogram counted."""
    for metric in histogram.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count") and sample.labels == {"account": "acme", "priority": "P1", "level": "1"}:
                return sample.value
    return 0.0
