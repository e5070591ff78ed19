"""Prometheus metrics (``prometheus-client``, text format at ``/metrics``).

Process metrics, counted where they happen (scrape every process and sum):

- ``slackops_ack_seconds`` (histogram, web): how long the app took to answer a Slack request;
- ``slackops_alarms_total{kind, alarm}`` (counter, workers): warnings (``alarm="warn"``) and
  breaches (``alarm="due"``) acted on, by checkpoint kind;
- ``slackops_notice_lateness_seconds`` (histogram, workers): due instant -> posted to Slack;
- ``slackops_escalation_ack_seconds{account, priority, level}`` (histogram, web): from an
  escalation level's first DM to a manager's acknowledgement.

Desk metrics, read from Redis at each scrape (the same in every process; cached 10 s):

- ``slackops_requests{account, priority, state}``: open requests;
- ``slackops_requests_opened{account}``: requests ever opened;
- ``slackops_outbox_depth``, ``slackops_outbox_oldest_seconds``: notices waiting, and how
  long ago the oldest waiting one was due.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import Counter as Tally
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["ACK_SECONDS", "ALARMS", "ESCALATION_ACK", "LATENESS", "count_alarms", "observe_escalation_ack",
           "observe_lateness", "exposition", "serve"]

PROCESS = CollectorRegistry(auto_describe=True)
ACK_SECONDS = Histogram("slackops_ack_seconds", "Time to answer a Slack request (the ack), seconds",
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5), registry=PROCESS)
ALARMS = Counter("slackops_alarms", "Warnings (alarm=warn) and breaches (alarm=due) acted on, by checkpoint kind",
                 ["kind", "alarm"], registry=PROCESS)
LATENESS = Histogram("slackops_notice_lateness_seconds", "From a notice's due instant to its post in Slack, seconds",
                     buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900), registry=PROCESS)
ESCALATION_ACK = Histogram("slackops_escalation_ack_seconds",
                           "From an escalation level's first DM to its acknowledgement, seconds",
                           ["account", "priority", "level"],
                           buckets=(60, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400), registry=PROCESS)
CACHE_SECONDS = 10.0


def count_alarms(alarms: Iterable[tuple[str, str]]) -> None:
    """(checkpoint kind, "warn" | "due") of each alarm whose notices were queued."""
    for kind, alarm in alarms:
        ALARMS.labels(kind=kind, alarm=alarm).inc()


def observe_escalation_ack(account: str, priority: str, level: int, seconds: float) -> None:
    ESCALATION_ACK.labels(account=account, priority=priority, level=str(level)).observe(max(0.0, seconds))


def observe_lateness(due: list[float], posted_at: float) -> None:
    for d in due:
        if d > 0:
            LATENESS.observe(max(0.0, posted_at - d))


class _Desk:
    """The desk's gauges from Redis."""

    def __init__(self, store: Any, config: Any, outbox: Any, clock: Callable[[], float]) -> None:
        self.store, self.config, self.outbox, self.clock = store, config, outbox, clock
        self._cached: tuple[float, list[Any]] | None = None
        self._lock = threading.Lock()

    def collect(self) -> Iterable[Any]:
        with self._lock:
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] > CACHE_SECONDS:
                self._cached = (now, self._families())
            return list(self._cached[1])

    def _families(self) -> list[Any]:
        reqs = GaugeMetricFamily("slackops_requests", "Open requests", labels=["account", "priority", "state"])
        tally = Tally((r.account, r.priority, r.status.value) for r in self.store.list(open_only=True))
        for (a, p, s), n in sorted(tally.items()):
            reqs.add_metric([a, p, s], n)
        opened = GaugeMetricFamily("slackops_requests_opened", "Requests ever opened", labels=["account"])
        pipe = self.store.redis.pipeline(transaction=False)
        for a in self.config.accounts:
            pipe.get(self.store.keys.counter(a.id))
        for a, n in zip(self.config.accounts, pipe.execute(), strict=True):
            opened.add_metric([a.id], int(n or 0))
        depth, oldest = self.outbox.backlog(self.clock())
        d = GaugeMetricFamily("slackops_outbox_depth", "Notices waiting to be posted")
        d.add_metric([], depth)
        o = GaugeMetricFamily("slackops_outbox_oldest_seconds", "Seconds since the oldest waiting notice was due")
        o.add_metric([], oldest)
        return [reqs, opened, d, o]


class _Process:
    def collect(self) -> Iterable[Any]:
        return PROCESS.collect()


_DESKS: weakref.WeakKeyDictionary[Any, _Desk] = weakref.WeakKeyDictionary()


def exposition(store: Any, config: Any, now: datetime | None = None) -> tuple[bytes, str]:
    """The text format for this process and the desk (``store``); (body, Content-Type)."""
    desk = _DESKS.get(store)
    if desk is None:
        from slackops.notices.outbox import Outbox

        outbox = Outbox(store.redis, None, store.keys.prefix, timeout_settle=1.0)  # type: ignore[arg-type]  # reads only
        desk = _DESKS.setdefault(store, _Desk(store, config, outbox, time.time))
    reg = CollectorRegistry(auto_describe=False)
    reg.register(_Process())  # type: ignore[arg-type]
    reg.register(desk)  # type: ignore[arg-type]
    return generate_latest(reg), CONTENT_TYPE_LATEST


def serve(port: int, store: Any, config: Any, host: str = "0.0.0.0") -> Callable[[], None]:
    """``GET /metrics`` on ``port`` in a background thread (a worker's ``--metrics-port``); returns stop()."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        body, ctype = exposition(store, config)
        start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = make_server(host, port, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="metrics", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(2)

    stop.port = server.server_port  # type: ignore[attr-defined]
    return stop
