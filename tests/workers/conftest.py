"""A test policy of seconds, a configuration around it, and a worker harness that runs
the sweep, RQ jobs and the outbox in this process against the real Redis and fake Slack."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slackops.workers.context import queue_name
from slackops.workers.rqworker import DeskWorker
from slackops.workers.runtime import build_context
from slackops.workers.sweep import Sweep

from slackops.config import Config
from slackops.notices.outbox import EVENT_TYPE, make_client

POLICY = """\
name: fastdesk
title: Fast Desk
timezone: UTC
languages: [en]
calendars:
  24x7:
    hours: 24x7
  default: 24x7
critical_notice_text:
  en: "We are aware of a critical issue affecting you and are working on it."
priorities:
  - id: P1
    label: Critical
    rank: 1
    definition: down
    warn_at: [0.5]
    targets:
      first_response: {duration: 4 seconds, calendar: 24x7}
      critical_notice: {duration: 3 seconds, calendar: 24x7}
    escalation:
      - level: 1
        after: 2 seconds
        calendar: 24x7
        notify: [directors, channel]
        unless: [resolved, plan]
  - id: P2
    label: High
    rank: 2
    definition: impeded
    warn_at: [0.5]
    targets:
      first_response: {duration: 60 seconds, calendar: 24x7}
    auto_upgrade:
      after: 2 seconds
      calendar: 24x7
      to: P1
      unless: identified
  - id: P3
    label: Normal
    rank: 3
    definition: usable
    warn_at: [0.5]
    targets:
      first_response: {duration: 3 seconds, calendar: 24x7}
      resolution: {duration: 4 seconds, calendar: 24x7}
  - id: P4
    label: Low
    rank: 4
    definition: cadence
    warn_at: [0.5]
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
      update_every: {duration: 3 seconds, calendar: 24x7}
"""

SHARED = "C0ACMESHARED"


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    p = tmp_path / "fastdesk.yml"
    p.write_text(POLICY)
    return p


@pytest.fixture
def config(policy_file: Path) -> Config:
    return Config.model_validate({
        "team_id": "T0VENDOR",
        "agents": ["U0AGENT1"],
        "managers": {"directors": ["U0DIR1"], "executives": ["U0EXEC1"]},
        "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"},
        "accounts": [{"id": "acme", "name": "Acme <Health>", "channel": SHARED, "policy": str(policy_file),
                      "contacts": ["U0ACME1"]}],
    })


def utcnow() -> datetime:
    return datetime.now(UTC)


class Harness:
    """Sweep + RQ jobs (the desk's rq worker in bursts, this thread) + the outbox dispatcher (a thread)."""

    def __init__(self, redis, config, fake, ns: str, **kw) -> None:
        self.redis = redis
        self.fake = fake
        self.ctx = build_context(redis, config, make_client("xoxb-test", fake.url, timeout=5), prefix=ns,
                                 interval=kw.pop("interval", 0.2), lease_seconds=kw.pop("lease_seconds", 3),
                                 handoff_seconds=kw.pop("handoff_seconds", 5))
        self.store = self.ctx.store
        self.sweep = Sweep(redis, self.store, self.ctx.queue, ns, tick=0.05, handoff_seconds=5)
        self._outbox = threading.Thread(target=self.ctx.outbox.run, daemon=True)
        self._outbox.start()

    def card(self, req) -> str:
        """Post the request's card in the shared channel (the Slack app's job) and record it."""
        ts = make_client("xoxb-test", self.fake.url).chat_postMessage(channel=req.channel, text=f"card {req.id}")["ts"]
        self.store.set_card(req.id, req.channel, ts)
        return ts

    def run_until(self, done: Callable[[], bool], timeout: float = 15.0) -> bool:
        end = time.time() + timeout
        while time.time() < end:
            self.step()
            if done():
                return True
            time.sleep(0.05)
        return False

    def run_for(self, seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end:
            self.step()
            time.sleep(0.05)

    def step(self) -> None:
        self.sweep.tick()
        DeskWorker([queue_name(self.ctx.prefix)], connection=self.redis).work(burst=True, logging_level="WARNING")

    def stop(self) -> None:
        self.ctx.outbox.stop()
        self._outbox.join(5)


@pytest.fixture
def harness(redis, config, fake_slack, namespace) -> Iterator[Harness]:
    h = Harness(redis, config, fake_slack, namespace)
    try:
        yield h
    finally:
        h.stop()


def notices(fake, channel: str | None = None, thread_ts: str | None = None) -> list[dict]:
    """Messages the workers posted (they carry our metadata), with their notice id(s)."""
    out = []
    for m in fake.messages(channel, thread_ts):
        md = m.get("metadata") or {}
        if md.get("event_type") == EVENT_TYPE:
            out.append({**m, "notice_id": md["event_payload"]["notice_id"]})
    return out


def carried(fake, channel: str | None = None, thread_ts: str | None = None) -> list[str]:
    """The notice ids the workers' messages carry, alone or inside a digest."""
    out: list[str] = []
    for m in notices(fake, channel, thread_ts):
        payload = m["metadata"]["event_payload"]
        out.extend(payload.get("notice_ids") or [payload["notice_id"]])
    return out


def post_times(fake) -> dict[str, float]:
    """notice id -> when chat.postMessage carrying it reached the fake (successful calls)."""
    out: dict[str, float] = {}
    for c in fake.calls_to("chat.postMessage"):
        md = c.params.get("metadata") or {}
        if c.status == 200 and isinstance(md, dict) and md.get("event_type") == EVENT_TYPE:
            out.setdefault(md["event_payload"]["notice_id"], c.at)
    return out
