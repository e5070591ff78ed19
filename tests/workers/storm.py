"""A storm of every kind of alarm, for the fault tests: what is owed, when, and the check
that Slack got each of those notices exactly once and none before its instant.

Five requests opened together (seconds after opening):

- A, P1: critical-notice reminder 3.5, escalation step 7 (managers' DMs and the channel),
  the default critical notice 14 (the customer's thread and the channel);
- B, P2: auto-upgrade 4 (the thread and the new priority's channel), then as a P1 the same
  as A (its reminder, already due, right after the upgrade);
- C and D, P3: first-response warning 3 and breach 12, in one channel (digests);
- E, P4: an update every 10 s: warning 2.5, breach 10, the second cycle's warning 12.5;
  resolved once that is in Slack.

Every warning is due at least 7 s before its deadline: a worker killed anywhere is
replaced, and its alarms handed again, well within that, so no warning is rightly
dropped as too late and every notice listed is owed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from slackops.config import Config
from slackops.notices.outbox import EVENT_TYPE

POLICY = """\
name: stormdesk
title: Storm Desk
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
    warn_at: [0.25]
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
      critical_notice: {duration: 14 seconds, calendar: 24x7}
    escalation:
      - {level: 1, after: 7 seconds, calendar: 24x7, notify: [directors], unless: [resolved]}
  - id: P2
    label: High
    rank: 2
    definition: impeded
    warn_at: [0.25]
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
    auto_upgrade: {after: 4 seconds, calendar: 24x7, to: P1, unless: identified}
  - id: P3
    label: Normal
    rank: 3
    definition: usable
    warn_at: [0.25]
    targets:
      first_response: {duration: 12 seconds, calendar: 24x7}
  - id: P4
    label: Low
    rank: 4
    definition: cadence
    warn_at: [0.25]
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
      update_every: {duration: 10 seconds, calendar: 24x7}
"""

SHARED = "C0ACMESHARED"
URGENT, NORMAL, LOW = "C0URGENT", "C0NORMAL", "C0LOW"
CRASH_STATUS = 70  # slackops.workers.crash.CRASH_STATUS


def config(tmp_path: Path) -> tuple[Config, Path]:
    pol = tmp_path / "stormdesk.yml"
    pol.write_text(POLICY)
    cfg = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "managers": {"directors": ["U0DIR1"]},
        "channels": {1: URGENT, 2: "C0HIGH", 3: NORMAL, 4: LOW},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(pol), "contacts": ["U0ACME1"]}],
    })
    path = tmp_path / "slackops.yml"
    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
    return cfg, path


def open_storm(store: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    out = {}
    for name, prio in (("A", "P1"), ("B", "P2"), ("C", "P3"), ("D", "P3"), ("E", "P4")):
        out[name] = store.open("acme", title=f"storm {name}", priority=prio, submitted_by="U0ACME1",
                               now=datetime.now(UTC))
    return out


def owed(reqs: dict[str, Any]) -> dict[str, float]:
    """Notice id -> the instant it may not be posted before (epoch seconds)."""
    out: dict[str, float] = {}

    def add(r: Any, what: str, dests: tuple[str, ...], after: float) -> None:
        for d in dests:
            out[f"{r.id}|{what}|{d}"] = r.submitted_at.timestamp() + after

    for name in ("A", "B"):
        r = reqs[name]
        add(r, "critical_notice|warn:0.25", (URGENT,), 3.5)
        add(r, "escalation:1|due", ("U0DIR1", URGENT), 7)
        add(r, "critical_notice|due", (SHARED, URGENT), 14)
    add(reqs["B"], "auto_upgrade|due", (SHARED, URGENT), 4)
    for name in ("C", "D"):
        add(reqs[name], "first_response|warn:0.25", (NORMAL,), 3)
        add(reqs[name], "first_response|due", (NORMAL,), 12)
    e = reqs["E"]
    add(e, "update:1|warn:0.25", (LOW,), 2.5)
    add(e, "update:1|due", (LOW,), 10)
    add(e, "update:2|warn:0.25", (LOW,), 12.5)
    return out


def delivered(fake: Any) -> Counter:
    """How many messages in Slack carry each notice id (alone or inside a digest)."""
    seen: Counter = Counter()
    for m in fake.messages():
        md = m.get("metadata") or {}
        if md.get("event_type") != EVENT_TYPE:
            continue
        p = md["event_payload"]
        for nid in p.get("notice_ids") or [p["notice_id"]]:
            seen[nid] += 1
    return seen


def first_call(fake: Any) -> dict[str, float]:
    """Notice id -> when the first chat.postMessage carrying it reached Slack."""
    out: dict[str, float] = {}
    for c in fake.calls_to("chat.postMessage"):
        md = c.params.get("metadata") or {}
        if isinstance(md, dict) and md.get("event_type") == EVENT_TYPE:
            p = md.get("event_payload") or {}
            for nid in p.get("notice_ids") or [p.get("notice_id")]:
                out.setdefault(nid, c.at)
    return out


def run_storm(fake: Any, store: Any, reqs: dict[str, Any], timeout: float = 60.0,
              step: Any = None) -> bool:
    """Wait until every owed notice is in Slack, resolving E once its second cycle's warning is."""
    from datetime import UTC, datetime

    from slackops.requests import Event

    want = owed(reqs)
    e = reqs["E"]
    resolved = False
    end = time.time() + timeout
    while time.time() < end:
        if step is not None:
            step()
        got = delivered(fake)
        if not resolved and f"{e.id}|update:2|warn:0.25|{LOW}" in got:
            store.apply(e.id, Event(type="resolved", actor="U0AGENT1", at=datetime.now(UTC),
                                    data={"resolution": "fix"}))
            resolved = True
        if resolved and set(want) <= set(got):
            return True
        time.sleep(0.05)
    return False


def check(fake: Any, reqs: dict[str, Any]) -> None:
    """Every owed notice exactly once, none early; nothing else but the cards (both kinds) and the
    publisher's notices of the requests' events (once each too)."""
    want = owed(reqs)
    got = delivered(fake)
    missing = sorted(set(want) - set(got))
    assert not missing, missing
    twice = {k: v for k, v in got.items() if v > 1}
    assert twice == {}, twice
    at = first_call(fake)
    early = {k: round(at[k] - t, 3) for k, t in want.items() if at[k] < t - 0.01}
    assert early == {}, early
    extra = sorted(k for k in got if k not in want and not k.startswith(("card|", "triage|", "ev|")))
    assert extra == [], extra
    # the customer's notices went into the request's thread, under its card
    for name, what in (("A", "critical_notice"), ("B", "critical_notice"), ("B", "auto_upgrade")):
        rid = reqs[name].id
        [msg] = [m for m in fake.messages(SHARED)
                 if (m.get("metadata") or {}).get("event_payload", {}).get("notice_id") == f"{rid}|{what}|due|{SHARED}"]
        card = [m for m in fake.messages(SHARED)
                if (m.get("metadata") or {}).get("event_payload", {}).get("notice_id") == f"card|{rid}"]
        assert card and msg.get("thread_ts") == card[0]["ts"], (name, what, msg)


# `slackops worker` with its imports done ahead, started by a line on its stdin: the worker
# that replaces a killed one starts at once, even on a busy machine
_WARM = """\
import sys
import rq, slack_sdk, slackops.cli, slackops.workers.cli, slackops.workers.runtime, slackops.slack.flows
print("warm", file=sys.stderr, flush=True)
if sys.stdin.readline().strip() != "go":
    sys.exit(0)  # the test ended without needing it
sys.exit(slackops.cli.main(sys.argv[1:]))
"""


def start_worker(config_file: Path, url: str, fake: Any, ns: str, tmp_path: Path, name: str,
                 crash_at: str | None = None, warm: bool = False) -> subprocess.Popen:
    """A `slackops worker`; ``warm``: imported, waiting for :func:`go`."""
    env = dict(os.environ, REDIS_URL=url, SLACK_API_URL=fake.url, SLACK_BOT_TOKEN="xoxb-test",
               SLACKOPS_DATA_DIR=str(tmp_path / "data"))
    env.pop("SLACKOPS_CRASH_AT", None)
    if crash_at:
        env["SLACKOPS_CRASH_AT"] = crash_at
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    args = ["worker", "--config", str(config_file), "--prefix", ns,
            "--lease-seconds", "2", "--handoff-seconds", "2", "--slack-timeout", "1"]
    cmd = [sys.executable, "-c", _WARM, *args] if warm else [sys.executable, "-m", "slackops.cli", *args]
    # a process group of its own: a worker ended abruptly leaves rq's scheduler process behind
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.PIPE if warm else None,
                            cwd=str(Path(__file__).resolve().parents[2]), start_new_session=True)


def reap(proc: subprocess.Popen) -> None:
    """End what is left of a worker's process group (this test started it: its id is the pid)."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def ready(redis: Any, ns: str, tmp_path: Path, warm: str | None = None, timeout: float = 60.0) -> bool:
    """Wait until a worker of ``ns`` takes jobs (and the ``warm`` one has its imports done),
    so that the storm begins with the workers up, however busy the machine."""
    end = time.time() + timeout
    while time.time() < end:
        up = redis.scard(f"rq:workers:{ns}-alarms") > 0
        if up and (warm is None or "warm" in (tmp_path / f"{warm}.log").read_text()):
            return True
        time.sleep(0.05)
    return False


def go(proc: subprocess.Popen) -> None:
    assert proc.stdin is not None
    proc.stdin.write(b"go\n")
    proc.stdin.close()


def log_tail(tmp_path: Path, *names: str) -> str:
    return "\n".join(f"--- {n}\n" + (tmp_path / f"{n}.log").read_text()[-2500:] for n in names
                     if (tmp_path / f"{n}.log").exists())
