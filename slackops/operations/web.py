"""The operations' pages on the web process: a small router in front of the Slack app.

- ``GET /status/ACCOUNT?token=T`` or ``/status/ACCOUNT/T``: the status page (HTML);
- ``GET /status/ACCOUNT.json?token=T`` (or ``/status/ACCOUNT/T.json``): the same as JSON;
- ``GET /maintenance/ACCOUNT.ics?token=T`` (or ``/maintenance/ACCOUNT/T.ics``): the calendar feed;
- ``GET /metrics``: Prometheus text format.

A wrong or missing token answers 404, as an unknown account does: pages cannot be found by
listing. Anything else goes to the wrapped application (the Slack app).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

__all__ = ["mount"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_ROUTE = re.compile(r"^/(status|maintenance)/([a-z][a-z0-9]{0,15})(?:/([A-Za-z0-9_-]{16,128}))?(\.json|\.ics)?$")


def _send(start_response: Callable[..., Any], status: str, body: bytes, ctype: str,
          extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    headers = [("Content-Type", ctype), ("Content-Length", str(len(body))), ("Cache-Control", "no-store"),
               ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")] + (extra or [])
    start_response(status, headers)
    return [body]


def _not_found(start_response: Callable[..., Any]) -> Iterable[bytes]:
    return _send(start_response, "404 Not Found", b"not found\n", "text/plain; charset=utf-8")


class Routes:
    """What the pages read: Redis, the configuration and the store of the Slack app."""

    def __init__(self, store: Any, config: Any, clock: Callable[[], datetime] | None = None) -> None:
        from slackops.operations.records import MaintenanceBook
        from slackops.operations.tokens import StatusTokens

        self.store = store
        self.config = config
        prefix = store.keys.prefix
        self.book = MaintenanceBook(store.redis, config, store.policy, prefix)
        self.tokens = StatusTokens(store.redis, config, prefix)
        self.clock = clock or (lambda: datetime.now(UTC))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any], inner: WSGIApp) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/metrics" and method in ("GET", "HEAD"):
            from slackops.operations.metrics import exposition

            body, ctype = exposition(self.store, self.config, self.clock())
            return _send(start_response, "200 OK", body, ctype)
        match = _ROUTE.match(path)
        if match is None:
            if method != "POST":
                return inner(environ, start_response)
            from slackops.operations.metrics import ACK_SECONDS

            started = time.perf_counter()
            try:
                return inner(environ, start_response)
            finally:
                ACK_SECONDS.observe(time.perf_counter() - started)
        if method not in ("GET", "HEAD"):
            return _send(start_response, "405 Method Not Allowed", b"GET only\n", "text/plain; charset=utf-8",
                         [("Allow", "GET, HEAD")])
        kind, account_id, path_token, ext = match.groups()
        token = path_token or (parse_qs(environ.get("QUERY_STRING", "")).get("token") or [None])[0]
        if (kind == "maintenance") != (ext == ".ics") or not self.tokens.check(account_id, token):
            return _not_found(start_response)
        account = self.config.account(account_id)
        now = self.clock()
        if kind == "maintenance":
            from slackops.operations.ical import feed

            return _send(start_response, "200 OK", feed(account, self.book.list(account.id), now),
                         "text/calendar; charset=utf-8")
        from slackops.operations import status

        state = status.account_status(self.store, self.book, account, now)
        if ext == ".json":
            return _send(start_response, "200 OK", json.dumps(state, indent=1).encode(), "application/json")
        return _send(start_response, "200 OK", status.render_page(state, token or ""), "text/html; charset=utf-8")


def mount(inner: WSGIApp, store: Any, config: Any, clock: Callable[[], datetime] | None = None) -> WSGIApp:
    """``inner`` (the Slack app's WSGI application) with the operations' pages in front of it."""
    if store is None or not hasattr(store, "keys"):
        return inner
    routes = Routes(store, config, clock)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return routes(environ, start_response, inner)

    return application
