"""A desk on a policy of seconds, shaped like Comensure's (update every few seconds, a
ladder, an auto-upgrade unless identified), with the workers' sweep and RQ jobs running
beside the app, all on one store: time really passes, in seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.slack.conftest import Desk, running_desk

FAST_COMENSURE = """\
name: fastcomensure
title: Fast Comensure
timezone: America/New_York
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
    warn_at: [0.75]
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
      update_every: {duration: 6 seconds, calendar: 24x7}
    escalation:
      - {level: 1, after: 0 seconds, calendar: 24x7, notify: [channel]}
      - {level: 2, after: 4 seconds, calendar: 24x7, notify: [directors], unless: [resolved, plan]}
      - {level: 3, after: 7 seconds, calendar: 24x7, notify: [executives], unless: [resolved, plan]}
  - id: P2
    label: High
    rank: 2
    definition: impaired
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
      update: {duration: 1 hours, calendar: 24x7}
      workaround: 5 days
    auto_upgrade: {after: 4 seconds, calendar: 24x7, to: P1, unless: identified}
  - id: P3
    label: Normal
    rank: 3
    definition: usable
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
"""

CONTACT = "U0INITECH1"
SHARED = "C0INITECHSHARED"


def fast_config(policy_file: Path, **account: Any) -> dict[str, Any]:
    return {
        "team_id": "T0VENDOR",
        "agents": ["U0AGENT1", "U0AGENT2"],
        "managers": {"directors": ["U0DIR1"], "executives": ["U0EXEC1"]},
        "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL"},
        "accounts": [{"id": "initech", "name": "Initech", "channel": SHARED, "policy": str(policy_file),
                      "language": "en", "contacts": [CONTACT], **account}],
    }


class Workers:
    """The sweep and RQ jobs (the desk's rq worker in bursts) in a thread, the workers' outbox in another."""

    def __init__(self, desk: Desk, redis: Any) -> None:
        from slackops.workers.context import queue_name
        from slackops.workers.runtime import build_context
        from slackops.workers.sweep import Sweep

        from slackops.notices.outbox import make_client

        prefix = f"slackops{desk.namespace}"
        self.ctx = build_context(redis, desk.config, make_client("xoxb-test", desk.fake.url, timeout=5),
                                 prefix=prefix, store=desk.store, interval=0.05, lease_seconds=3, handoff_seconds=5)
        self.sweep = Sweep(redis, desk.store, self.ctx.queue, prefix, tick=0.05, handoff_seconds=5)
        self.queue = queue_name(prefix)
        self.redis = redis
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self.ctx.outbox.run, daemon=True),
                         threading.Thread(target=self._loop, daemon=True)]
        for th in self._threads:
            th.start()

    def _loop(self) -> None:
        from rq.timeouts import TimerDeathPenalty
        from slackops.workers.rqworker import DeskWorker

        class ThreadWorker(DeskWorker):
            death_penalty_class = TimerDeathPenalty  # SIGALRM, too, is the main thread's

            def _install_signal_handlers(self) -> None:  # signals belong to the main thread
                pass

        while not self._stop.is_set():
            self.sweep.tick()
            ThreadWorker([self.queue], connection=self.redis).work(burst=True, logging_level="WARNING")
            self._stop.wait(0.05)

    def stop(self) -> None:
        self._stop.set()
        self.ctx.outbox.stop()
        for th in self._threads:
            th.join(10)


@contextmanager
def fast_desk(fake_slack: Any, redis: Any, namespace: str, tmp_path: Path, **account: Any) -> Iterator[tuple[Desk, Workers]]:
    policy = tmp_path / "fastcomensure.yml"
    policy.write_text(FAST_COMENSURE)
    fake_slack.add_user(CONTACT, team_id="T0INITECH", is_stranger=True)
    with running_desk(fake_slack, redis, namespace, fast_config(policy, **account)) as desk:
        workers = Workers(desk, redis)
        try:
            yield desk, workers
        finally:
            workers.stop()


def carried(fake: Any, channel: str | None = None) -> list[str]:
    """Notice ids the workers' messages carry (alone or folded into a digest)."""
    from slackops.notices.outbox import EVENT_TYPE

    out: list[str] = []
    for m in fake.messages(channel):
        md = m.get("metadata") or {}
        if md.get("event_type") == EVENT_TYPE:
            payload = md["event_payload"]
            out.extend(payload.get("notice_ids") or [payload["notice_id"]])
    return out


def sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.time()))
