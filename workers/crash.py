"""Named crash points, for the fault tests: the worker process ends abruptly at one of them.

``SLACKOPS_CRASH_AT=<point>[/<detail>][@<n>]`` makes ``slackops worker`` end with
``os._exit(CRASH_STATUS)`` (no clean-up, no flushing: as a SIGKILL would) the ``n``-th time
(default the first) it reaches ``<point>``, optionally only where the step's detail (the
alarm's checkpoint kind, ``warn``/``due``) is ``<detail>``. Only ``slackops worker`` reads the
variable; without it every point is a no-op. docs/workers.md lists the points and what the
next worker does at each.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

from slackops.errors import ConfigError

__all__ = ["CRASH_STATUS", "POINTS", "CrashPoints", "from_env", "nowhere"]

CRASH_STATUS = 70
"""The exit status of a worker ended at a crash point (tests tell it from a real failure)."""

POINTS = (
    "sweep:handed",  # the handoff keys are set; the job is not queued yet
    "job:start",  # a job read its alarms; nothing written yet
    "job:advanced",  # the next cycle's alarms are in the deadline index; nothing decided
    "job:applied",  # the request's change and its notices are in Redis (one step); the alarm is not cleared
    "job:queued",  # the notices are in the outbox; the alarms are not cleared
    "job:done",  # the alarms are cleared; the handoff keys are not
    "outbox:taken",  # the message's intent is written and its notices are off the queue
    "outbox:posting",  # the intent is marked "maybe posted"; chat.postMessage not called yet
    "outbox:posted",  # Slack took the message; it is not recorded as sent
    "outbox:recorded",  # recorded as sent; the after-sent hook (a card's place) not run yet
    "webhook:posting",  # an event's attempt is counted; the POST not sent yet
    "webhook:posted",  # the endpoint answered 2xx; the event is not recorded as delivered
)


def nowhere(point: str, detail: str = "") -> None:
    """The crash hook of a worker without ``SLACKOPS_CRASH_AT``."""


class CrashPoints:
    """A crash hook: call it with each point reached."""

    def __init__(self, spec: str) -> None:
        where, _, nth = spec.partition("@")
        self.point, _, self.detail = where.partition("/")
        if self.point not in POINTS:
            raise ConfigError(f"SLACKOPS_CRASH_AT: {self.point!r} is not a crash point ({', '.join(POINTS)})")
        self.nth = int(nth or 1)
        self._seen = 0
        self._lock = threading.Lock()

    def __call__(self, point: str, detail: str = "") -> None:
        if point != self.point or (self.detail and detail != self.detail):
            return
        with self._lock:
            self._seen += 1
            if self._seen >= self.nth:
                print(f"slackops worker: crash point {point} {detail} reached; exiting", file=sys.stderr, flush=True)
                os._exit(CRASH_STATUS)


def from_env(environ: dict[str, str] | None = None) -> Callable[[str, str], None]:
    spec = (environ if environ is not None else os.environ).get("SLACKOPS_CRASH_AT", "").strip()
    return CrashPoints(spec) if spec else nowhere
