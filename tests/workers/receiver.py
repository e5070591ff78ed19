"""A webhook receiver on 127.0.0.1 (http.server in a thread): records every POST, checks its
signature as a vendor's receiver would, and answers as told (500s, 429s, a hang)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slackops.notices.webhooks import verify


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    at: float
    signed: bool  # the signature verified with the receiver's secret
    status: int  # what the receiver answered

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str
    received: list[Received] = field(default_factory=list)
    plan: list[tuple[int, dict[str, str], float]] = field(default_factory=list)  # (status, headers, delay) for the next POSTs
    down: bool = False  # answer 503 to everything
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def answer_next(self, status: int, n: int = 1, headers: dict[str, str] | None = None, delay: float = 0.0) -> None:
        with self.lock:
            self.plan += [(status, headers or {}, delay)] * n

    def start(self) -> Receiver:
        me = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                signed = verify(me.secret, headers.get("x-slackops-timestamp", ""), body,
                                headers.get("x-slackops-signature", ""))
                with me.lock:
                    status, extra, delay = me.plan.pop(0) if me.plan else ((503, {}, 0.0) if me.down else (200, {}, 0.0))
                    me.received.append(Received(body, headers, time.time(), signed, status))
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def ok(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def events(self) -> list[dict[str, Any]]:
        """The events the receiver took (2xx), each once (de-duplicated on id, as a receiver does)."""
        seen: set[str] = set()
        out = []
        for r in self.ok():
            e = r.event
            if e["id"] not in seen:
                seen.add(e["id"])
                out.append(e)
        return out
