"""Slack's side of Socket Mode, for the stand-in: ``apps.connections.open`` hands the app the
address of this WebSocket server (``ws://127.0.0.1:PORT/link/?ticket=...``, plain: slack_sdk
connects without TLS to any port but 443), which greets it with ``hello`` as Slack does and
then carries envelopes (``slash_commands``, ``interactive``, ``events_api``) to the app and
the app's acknowledgements back. The WebSocket protocol itself (handshake, framing,
fragmentation, ping/pong, the close handshake) is the ``websockets`` package's."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

__all__ = ["SocketModeLink"]


class SocketModeLink:
    """One WebSocket server; the app's connections to it, and the acknowledgements they send."""

    def __init__(self, app_id: str = "A0SLACKOPS") -> None:
        self.app_id = app_id
        self._conns: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self.connections = 0  # how many times the app connected (a reconnect counts again)
        # Slack sends no compression and pings its clients; slack_sdk's built-in client
        # offers no extension either
        self._server: Server = serve(self._serve, "127.0.0.1", 0, compression=None, max_size=None,
                                     ping_interval=20, ping_timeout=20)
        threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True).start()

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={uuid.uuid4().hex}&app_id={self.app_id}"

    # -- the test's side -------------------------------------------------------------
    def wait_connected(self, timeout: float = 30.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._conns), timeout):
                raise TimeoutError("the app did not connect over Socket Mode")

    def send(self, kind: str, payload: Any, *, retry_attempt: int = 0, envelope_id: str | None = None) -> str:
        """Push one envelope to the app (its newest connection); returns its envelope_id."""
        eid = envelope_id or f"{uuid.uuid4()}"
        envelope = {"envelope_id": eid, "type": kind, "payload": payload, "accepts_response_payload": kind != "events_api",
                    "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else ""}
        with self._changed:
            if not self._conns:
                raise ConnectionError("no Socket Mode connection")
            conn = self._conns[-1]
        try:
            conn.send(json.dumps(envelope))
        except ConnectionClosed as e:
            raise ConnectionError(f"the Socket Mode connection closed: {e}") from None
        return eid

    def ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The app's acknowledgement of an envelope: ``{"envelope_id", "payload"?}``."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"no acknowledgement of {envelope_id} within {timeout} s")
            return self._acks[envelope_id]

    def close(self) -> None:
        """Stop listening and close every connection with 1001 (going away), as Slack does
        when it moves a connection."""
        with self._changed:
            conns, self._conns = list(self._conns), []
        for c in conns:
            with contextlib.suppress(Exception):
                c.close(1001, "going away")
        self._server.shutdown()

    # -- one connection --------------------------------------------------------------
    def _serve(self, conn: ServerConnection) -> None:
        with self._changed:
            self._conns.append(conn)
            self.connections += 1
            self._changed.notify_all()
        try:
            conn.send(json.dumps({"type": "hello", "num_connections": len(self._conns),
                                  "debug_info": {"host": "applink-sandbox", "approximate_connection_time": 3600},
                                  "connection_info": {"app_id": self.app_id}}))
            for text in conn:
                try:
                    got = json.loads(text)
                except ValueError:
                    continue
                if isinstance(got, dict) and got.get("envelope_id"):
                    with self._changed:
                        self._acks[str(got["envelope_id"])] = got
                        self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if conn in self._conns:
                    self._conns.remove(conn)
                self._changed.notify_all()
