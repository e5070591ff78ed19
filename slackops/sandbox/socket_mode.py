"""Slack's side of Socket Mode, for the stand-in: ``apps.connections.open`` hands the app the
address of this WebSocket server (``ws://127.0.0.1:PORT/link``, plain: slack_sdk connects
without TLS to any port but 443), which greets it with ``hello`` as Slack does and then
carries envelopes (``slash_commands``, ``interactive``, ``events_api``) to the app and the
app's acknowledgements back. RFC 6455 framing over a socket: text, ping/pong and close."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import socket
import struct
import threading
import uuid
from typing import Any

__all__ = ["SocketModeLink"]

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketModeLink:
    """One WebSocket server; the app's connections to it, and the acknowledgements they send."""

    def __init__(self, app_id: str = "A0SLACKOPS") -> None:
        self.app_id = app_id
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._conns: list[socket.socket] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._send_lock = threading.Lock()
        self._closed = False
        self._n = itertools.count(1)
        self.connections = 0  # how many times the app connected (a reconnect counts again)
        threading.Thread(target=self._accept, name="socket-mode", daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._sock.getsockname()[1]}/link/?ticket={uuid.uuid4().hex}&app_id={self.app_id}"

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
        self._write(conn, 0x1, json.dumps(envelope).encode())
        return eid

    def ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The app's acknowledgement of an envelope: ``{"envelope_id", "payload"?}``."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"no acknowledgement of {envelope_id} within {timeout} s")
            return self._acks[envelope_id]

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._sock.close()
        with self._changed:
            conns, self._conns = list(self._conns), []
        for c in conns:
            with contextlib.suppress(OSError):
                self._write(c, 0x8, struct.pack("!H", 1001))
                c.close()

    # -- the wire --------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), name="socket-mode-conn", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
            key = headers.get("sec-websocket-key", "")
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
            with self._changed:
                self._conns.append(conn)
                self.connections += 1
                self._changed.notify_all()
            self._write(conn, 0x1, json.dumps({"type": "hello", "num_connections": len(self._conns),
                                               "debug_info": {"host": "applink-sandbox", "approximate_connection_time": 3600},
                                               "connection_info": {"app_id": self.app_id}}).encode())
            self._read_frames(conn)
        except OSError:
            pass
        finally:
            with self._changed:
                if conn in self._conns:
                    self._conns.remove(conn)
                self._changed.notify_all()
            with contextlib.suppress(OSError):
                conn.close()

    def _read_frames(self, conn: socket.socket) -> None:
        buf = b""

        def take(n: int) -> bytes:
            nonlocal buf
            while len(buf) < n:
                chunk = conn.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                buf += chunk
            out, buf = buf[:n], buf[n:]
            return out

        message = b""
        while True:
            b1, b2 = take(2)
            opcode, masked, length = b1 & 0x0F, b2 & 0x80, b2 & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", take(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", take(8))
            mask = take(4) if masked else b"\0\0\0\0"
            data = bytes(x ^ mask[i % 4] for i, x in enumerate(take(length)))
            if opcode == 0x8:  # close: answer it, and the connection ends
                with contextlib.suppress(OSError):
                    self._write(conn, 0x8, data[:2])
                return
            if opcode == 0x9:
                self._write(conn, 0xA, data)
                continue
            if opcode == 0xA:
                continue
            message += data
            if not b1 & 0x80:
                continue  # more fragments to come
            text, message = message, b""
            try:
                got = json.loads(text)
            except ValueError:
                continue
            if isinstance(got, dict) and got.get("envelope_id"):
                with self._changed:
                    self._acks[str(got["envelope_id"])] = got
                    self._changed.notify_all()

    def _write(self, conn: socket.socket, opcode: int, data: bytes) -> None:
        n = len(data)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        with self._send_lock:
            conn.sendall(head + data)

