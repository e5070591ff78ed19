"""The rq worker class every slackops worker runs (and the tests' harnesses too).

rq listens for its commands (shutdown, stop a job) on a pub/sub thread that it starts with
``run_in_thread(sleep_time=60)`` and stops in ``unsubscribe()`` when the worker's loop
ends. From redis-py 8 on, ``PubSubWorkerThread.stop()`` waits for that thread to finish,
and the thread, once unsubscribed, sleeps out its whole ``sleep_time`` before it looks at
its stop flag again: every rq worker then takes up to 60 s to end, a burst worker too.
A desk whose worker loop stalls for a minute after each burst misses its alarms, and a
worker asked to stop by SIGTERM overstays its seconds. Here the thread wakes every
``PUBSUB_WAKE`` seconds instead, so stopping it costs at most that, on every redis-py.
"""

from __future__ import annotations

from rq import SimpleWorker

try:
    from rq.exceptions import StopRequested
except ImportError:  # rq before 2.4 keeps it in rq.worker
    from rq.worker import StopRequested  # type: ignore[attr-defined,no-redef]

__all__ = ["PUBSUB_WAKE", "DeskWorker", "StopRequested"]

PUBSUB_WAKE = 1.0
"""Seconds the pub/sub thread waits for a command before it checks whether to stop: the
longest a worker's stop waits for it. One idle read a second per worker costs nothing."""


class DeskWorker(SimpleWorker):
    """rq's ``SimpleWorker`` (jobs run in the worker's process, beside the desk's threads)
    whose command listener stops within ``PUBSUB_WAKE`` seconds."""

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        handler = getattr(self, "_pubsub_exception_handler", None)  # rq >= 2.1
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=PUBSUB_WAKE, daemon=True,
                                                       exception_handler=handler)
