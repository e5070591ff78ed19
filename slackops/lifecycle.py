"""Stopping a slackops process promptly, whatever Slack or Redis is doing.

Every long-running command (``serve``, ``worker``, ``run``) calls :func:`begin_stop` on its
first SIGTERM or Ctrl-C: the command then winds down in order (threads told to stop,
pools shut, the embedded Redis saved and stopped), and a watchdog makes sure the process
is gone :data:`STOP_GRACE` seconds later even if a thread is stuck in a network call: it
runs the :func:`at_hard_exit` callbacks (stopping the embedded Redis) and ends the
process. Nothing is lost by that: everything a worker still had to do is recorded in
Redis before it is attempted (the outbox's intents), and the next worker carries on.

:func:`die_with_parent` makes a child process receive SIGTERM when its parent dies,
SIGKILL included (Linux ``PR_SET_PDEATHSIG``): rq's scheduler and ``slackops run``'s
children use it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable

__all__ = ["STOP_GRACE", "at_hard_exit", "begin_stop", "die_with_parent", "exit_now", "finished", "install", "stopping"]

log = logging.getLogger("slackops.lifecycle")

STOP_GRACE = 3.0
"""Seconds from the first stop signal until the process is ended regardless."""

stopping = threading.Event()
"""Set once a stop was asked for."""

_hard_exit: list[Callable[[], None]] = []
_lock = threading.Lock()


def at_hard_exit(fn: Callable[[], None]) -> Callable[[], None]:
    """Run ``fn`` before the watchdog ends the process; returns a function that unregisters it."""
    with _lock:
        _hard_exit.append(fn)

    def forget() -> None:
        with _lock, contextlib.suppress(ValueError):
            _hard_exit.remove(fn)

    return forget


def exit_now(code: int = 0) -> None:
    """End the process at once (no waiting on threads), flushing what was printed."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _watchdog(grace: float) -> None:
    if _done.wait(grace):
        return
    print(f"slackops: still stopping after {grace:.0f} s; ending now (what was not done is kept for the next start)",
          file=sys.stderr, flush=True)
    with _lock:
        callbacks = list(_hard_exit)
    for fn in callbacks:
        with contextlib.suppress(Exception):
            fn()
    exit_now(0)


_done = threading.Event()


def begin_stop(grace: float = STOP_GRACE) -> bool:
    """Note that a stop was asked for and start the watchdog; False if it already was."""
    with _lock:
        first = not stopping.is_set()
        stopping.set()
    if first:
        threading.Thread(target=_watchdog, args=(grace,), name="stop-watchdog", daemon=True).start()
    return first


def finished(code: int = 0) -> None:
    """The command has wound down: end the process now rather than wait at exit for
    threads still blocked in a network call (their work is recorded; nothing to finish)."""
    _done.set()
    if any(t.is_alive() and not t.daemon and t is not threading.main_thread() for t in threading.enumerate()):
        exit_now(code)


def install(on_stop: Callable[[], None] | None = None) -> None:
    """SIGTERM and SIGINT begin a stop; then ``on_stop`` runs (in the main thread; it may
    raise, e.g. KeyboardInterrupt, to unwind a blocking call). A second signal ends the
    process at once."""

    def handler(signum: int, _frame: object) -> None:
        if not begin_stop():
            exit_now(128 + signum)
        if on_stop is not None:
            on_stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """In a child process: receive ``sig`` when the parent dies (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig))  # PR_SET_PDEATHSIG
