"""Serving the app: over HTTP with waitress (``POST /slack/events``, ``GET /healthz``), or
in Socket Mode (``SLACK_APP_TOKEN``)."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from slackops.errors import SlackopsError, Unavailable
from slackops.slack import guard

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "settle_heap", "wsgi_app", "HttpServer", "serve_http", "serve_socket_mode"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
DEFAULT_THREADS = 16
"""waitress worker threads: each holds one Slack request until its ack (at most 3 s)."""
WAITRESS_MAX_BODY = 2 * guard.MAX_BODY
"""waitress answers 413 itself, without buffering them, to bodies over this; the guard
refuses those over guard.MAX_BODY."""


def settle_heap() -> None:
    """Once the app is built: collect, then move every object alive now (modules, the
    configuration, policies, Bolt's listeners) to the collector's permanent generation.
    A full collection then walks only what requests allocate, not the whole start-up heap:
    without this, a full collection in a loaded process stopped every thread for 15 to 26 ms
    (measured with gc.callbacks under benchmarks/bench_ack.py), and that pause landed in the
    acks' p99."""
    import gc

    gc.collect()
    gc.freeze()


def _json(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def wsgi_app(app: App) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """Every Slack request at ``POST /slack/events``, through the guard
    (:mod:`slackops.slack.guard`); ``GET /healthz`` says whether Redis answers."""
    secret = getattr(app, "_slackops_secret", None) or getattr(app, "_signing_secret", None) or ""
    bolt = guard.wsgi_guard(secret, SlackRequestHandler(app, path=EVENTS_PATH))
    desk = getattr(app, "_slackops_desk", None)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            redis = getattr(getattr(desk, "store", None), "redis", None)
            try:
                if redis is not None:
                    redis.ping()
            except Exception as e:  # noqa: BLE001 - any failure means unhealthy
                return _json(start_response, "503 Service Unavailable", {"ok": False, "redis": str(e)})
            return _json(start_response, "200 OK", {"ok": True, "follow_ups": getattr(desk, "pending", 0)})
        if path == EVENTS_PATH:
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"})
            return bolt(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not found"})

    if desk is not None:  # the status pages, calendar feeds and /metrics (slackops.operations.web)
        from slackops.operations.web import mount

        return mount(application, desk.store, desk.config, desk.clock)
    return application


class HttpServer:
    """waitress in a background thread: tests and benchmarks start it on port 0."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0, threads: int = DEFAULT_THREADS) -> None:
        from waitress.server import create_server

        settle_heap()

        self._server = create_server(wsgi_app(app), host=host, port=port, threads=threads, ident="slackops",
                                     clear_untrusted_proxy_headers=True, max_request_body_size=WAITRESS_MAX_BODY)
        self._app = app
        self.host = host
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{EVENTS_PATH}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> HttpServer:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="slackops-http", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._server.asyncore.loop(timeout=0.2, map=self._server._map)  # type: ignore[union-attr]
        except (OSError, ValueError):
            if not self._stopping:
                raise

    def stop(self) -> None:
        """Close every socket from the loop's map (the loop then ends), then the workers."""
        self._stopping = True
        server = self._server
        try:
            while server._map:  # type: ignore[union-attr]
                for channel in list(server._map.values()):  # type: ignore[union-attr]
                    channel.handle_close()
            server.task_dispatcher.shutdown(timeout=2)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - shutting down
            pass
        if self._thread:
            self._thread.join(timeout=3)
        desk = getattr(self._app, "_slackops_desk", None)
        if desk is not None:
            desk.drain(timeout=10)


def serve_http(app: App, *, host: str = "0.0.0.0", port: int = 3000, threads: int = DEFAULT_THREADS) -> None:
    """Block serving HTTP (a production WSGI server, not a development one)."""
    from waitress.server import create_server

    settle_heap()
    server = create_server(wsgi_app(app), host=host, port=port, threads=threads, ident="slackops",
                           max_request_body_size=WAITRESS_MAX_BODY)
    log.info("slackops listening on http://%s:%s%s", host, port, EVENTS_PATH)
    # waitress's own run(), stopped, gives its threads 5 s: a stop must take less in all
    sockets = getattr(server, "_map", None) or getattr(server, "map", None)
    try:
        server.asyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=sockets,  # type: ignore[union-attr]
                             use_poll=server.adj.asyncore_use_poll)  # type: ignore[union-attr]
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        with contextlib.suppress(Exception):
            server.task_dispatcher.shutdown(timeout=1)  # type: ignore[union-attr]
    # stopped (SIGTERM, Ctrl-C): finish the follow-ups of the last acks, briefly
    desk = getattr(app, "_slackops_desk", None)
    if desk is not None:
        desk.drain(timeout=1)


def serve_socket_mode(app: App, app_token: str) -> None:
    """Block in Socket Mode: Slack pushes over a WebSocket, nothing to expose."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError


    class GuardedHandler(SocketModeHandler):
        """The guard's shape check on each envelope before Bolt sees it: one that is not
        what Slack sends is acknowledged (so Slack does not send it again), logged, dropped."""

        def handle(self, client: Any, req: Any) -> None:
            problem = guard.envelope_problem(req.type, req.payload)
            if problem:
                from slack_sdk.socket_mode.response import SocketModeResponse

                log.warning("dropped a Socket Mode %s envelope: %s", req.type, problem)
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            super().handle(client, req)

    settle_heap()
    try:
        GuardedHandler(app, app_token).start()
    except OSError as e:  # no network, DNS, a refused connection (urllib's URLError included)
        reason = getattr(e, "reason", None) or e
        raise Unavailable(f"Socket Mode could not reach Slack: {reason} (check the network; "
                          "slackops run starts it again)") from None
    except SlackApiError as e:
        error = e.response.get("error") if e.response is not None else str(e)
        raise SlackopsError(f"Socket Mode could not connect: {error} (check SLACK_APP_TOKEN: an xapp- token "
                            "with connections:write, and Socket Mode on in the app's settings)") from None
