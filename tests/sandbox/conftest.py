"""``slackops sandbox`` as a child process (its own embedded Redis, its own stand-in for
Slack, a worker), and headless Chromium on its page. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "sandbox"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# A policy of seconds for the request that must breach while the test watches: a warning at
# half the first-response target, the breach, and an escalation to the directors (a DM)
# and the priority's channel.
FAST_POLICY = """\
name: fastdesk
title: Fast Desk
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
    definition: Down for everyone.
    targets:
      first_response: {duration: 1 hour, calendar: 24x7}
  - id: P2
    label: High
    rank: 2
    definition: A main function is impaired.
    warn_at: [0.5]
    targets:
      first_response: {duration: 24 seconds, calendar: 24x7}
    escalation:
      - level: 1
        after: 30 seconds
        calendar: 24x7
        notify: [directors, channel]
        unless: [resolved]
  - id: P3
    label: Normal
    rank: 3
    definition: Usable.
    targets:
      first_response: {duration: 8 hours, calendar: 24x7}
"""

CONFIG = """\
team_id: T0VENDOR
agents: [U0AGENT1, U0AGENT2]
managers:
  support_management: [U0SUPMGR]
  escalation_manager: [U0SUPMGR]
  directors: [U0DIRECTOR]
channels: {1: C0URGENT, 2: C0HIGH, 3: C0NORMAL}
accounts:
  - {id: acme, name: Acme Health, channel: C0ACMESHARED, policy: interopion, contacts: [U0ACME1]}
  - {id: initech, name: Initech, channel: C0INITECHSHARED, policy: fastdesk.yml, contacts: [U0INITECH1]}
  - {id: hanil, name: Hanil Systems, channel: C0HANILSHARED, policy: interactor, calendar: kr, contacts: [U0HANIL1],
     agent_controls: shared}
  - {id: rossi, name: Rossi S.p.A., channel: C0ROSSISHARED, policy: interzen, language: it, contacts: [U0ROSSI1]}
"""

PEOPLE = """\
users:
  U0AGENT1: {name: Alice Park, tz: America/Denver}
  U0AGENT2: {name: Bruno Costa, tz: Europe/Lisbon}
  U0SUPMGR: {name: Sam Support-Manager}
  U0DIRECTOR: {name: Dana Director, tz: America/New_York}
  U0ACME1: {name: Carla Acme, team: T0ACME}
  U0ACME2: {name: Nick Acme, team: T0ACME}
  U0INITECH1: {name: Ian Initech, team: T0INITECH, tz: America/New_York}
  U0INITECH2: {name: Peter Initech, team: T0INITECH}
  U0HANIL1: {name: Ji-woo Hanil, team: T0HANIL, tz: Asia/Seoul}
  U0ROSSI1: {name: Giulia Rossi, team: T0ROSSI, tz: Europe/Rome}
channels: {C0URGENT: support-p1, C0HIGH: support-p2, C0NORMAL: support-p3, C0ACMESHARED: acme-support,
           C0INITECHSHARED: initech-support, C0HANILSHARED: hanil-support, C0ROSSISHARED: rossi-supporto}
"""

URL_LINE = re.compile(r"(http://\S+/)\s")


class Running:
    def __init__(self, proc: subprocess.Popen[str], url: str, lines: list[str]) -> None:
        self.proc, self.url, self.lines = proc, url, lines


def start_sandbox(args: list[str], cwd: Path, timeout: float = 60.0) -> Running:
    """Start ``slackops sandbox --no-browser --port 0 ...``; wait for it to print its address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SLACKOPS_"))}
    proc = subprocess.Popen([sys.executable, "-m", "slackops.cli", "sandbox", "--no-browser", "--port", "0", *args],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: list[str] = []
    found: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = URL_LINE.search(line)
            if m and not found:
                found.append(m.group(1))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_sandbox(proc)
            raise AssertionError("the sandbox did not start:\n" + "".join(lines))
        time.sleep(0.05)
    return Running(proc, found[0], lines)


def stop_sandbox(proc: subprocess.Popen[str], timeout: float = 30.0) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
        raise AssertionError("the sandbox did not stop within 30 s of SIGTERM") from None


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("sandbox")
    (folder / "fastdesk.yml").write_text(FAST_POLICY)
    (folder / "config.yml").write_text(CONFIG)
    (folder / "people.yml").write_text(PEOPLE)
    running = start_sandbox(["--config", str(folder / "config.yml"), "--data-dir", str(folder / "data")], folder)
    try:
        yield running
    finally:
        stop_sandbox(running.proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, sandbox):  # noqa: ANN001, ANN201 - Playwright's types
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(sandbox.url)
    pg.page_errors = errors  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"the page raised: {errors}"


def shot(pg, name: str) -> Path:  # noqa: ANN001
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path))
    return path
