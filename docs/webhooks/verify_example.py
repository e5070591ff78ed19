"""Receiving slackops' events: check the signature, then de-duplicate on the event's id.

Run it with the endpoint's secret in the environment (the same value as the variable the
configuration's ``secret_env`` names):

    SLACKOPS_WEBHOOK_SECRET=... python3 verify_example.py 8080

and point an endpoint at http://HOST:8080/. Standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE = 300  # seconds: refuse a request signed longer ago than this (a replay)


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None) -> bool:
    """True if ``signature`` (X-Slackops-Signature) is ``v1=`` and the hex HMAC-SHA256 of
    ``v1:{timestamp}:{body}`` under ``secret``, and ``timestamp`` (X-Slackops-Timestamp) is recent."""
    try:
        if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE:
            return False
    except ValueError:
        return False
    expected = "v1=" + hmac.new(secret.encode(), b"v1:" + timestamp.encode() + b":" + body,
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


SEEN: set[str] = set()  # keep this in your database: an event may arrive more than once


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not verify(os.environ["SLACKOPS_WEBHOOK_SECRET"], self.headers.get("X-Slackops-Timestamp", ""), body,
                      self.headers.get("X-Slackops-Signature", "")):
            self.send_response(401)
            self.end_headers()
            return
        event = json.loads(body)
        if event["id"] not in SEEN:  # the first time: act on it
            SEEN.add(event["id"])
            print(event["type"], event.get("request", {}).get("id", ""), event["time"], flush=True)
        self.send_response(204)  # any 2xx: delivered. 5xx or 429 (with Retry-After): sent again later
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("", int(sys.argv[1]) if len(sys.argv) > 1 else 8080), Handler).serve_forever()
