"""The Web API client keeps its connection alive between calls, and behaves as slack-sdk's
own on errors and when the server closes an idle connection."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from slackops.config import Settings
from slackops.notices.outbox import make_client as outbox_client
from slackops.notices.web import make_client


class Server:
    """A Web API that counts connections; ``close_next`` closes the connection after the next answer."""

    def __init__(self) -> None:
        self.connections = 0
        self.calls = 0
        self.close_next = False
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.calls += 1
                body = json.dumps({"ok": server.status == 200, "error": "ratelimited"} if server.status != 200
                                  else {"ok": True, "ts": f"1.{server.calls}"}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if server.status == 429:
                    self.send_header("Retry-After", "0")
                if server.close_next:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                    server.close_next = False
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


@pytest.mark.parametrize("build", ["app", "outbox"])
def test_one_connection_serves_many_calls(server, build):
    client = (make_client(Settings(bot_token="xoxb-test", slack_api_url=server.url)) if build == "app"
              else outbox_client("xoxb-test", server.url))
    for i in range(5):
        assert client.chat_postMessage(channel="C1", text=f"hello {i}")["ts"] == f"1.{i + 1}"
    assert server.connections == 1

    server.close_next = True  # the server closes it after this answer...
    client.chat_postMessage(channel="C1", text="last on this connection")
    client.chat_postMessage(channel="C1", text="...and the next call opens another")
    assert server.connections == 2 and server.calls == 7


def test_errors_are_slack_sdks_own(server):
    client = outbox_client("xoxb-test", server.url)  # no retry handlers: the outbox retries itself
    server.status = 429
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C1", text="too fast")
    assert e.value.response.status_code == 429
    assert e.value.response.headers.get("Retry-After") == "0"
    server.status = 200
    assert client.chat_postMessage(channel="C1", text="again")["ok"]


def test_each_thread_has_its_own_connection(server):
    client = make_client(Settings(bot_token="xoxb-test", slack_api_url=server.url))
    errors: list[Exception] = []

    def post() -> None:
        try:
            for _ in range(10):
                client.chat_postMessage(channel="C1", text="x")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and server.calls == 40
    assert server.connections == 4


def test_no_debug_line_is_built_unless_asked(server, caplog):
    """slack-sdk formats the whole request for a debug line whenever its logger's own level
    is NOTSET; the clients' logger has a level, and DEBUG on it brings the lines back."""
    import logging

    client = make_client(Settings(bot_token="xoxb-test", slack_api_url=server.url))
    with caplog.at_level(logging.DEBUG):  # the root logger at DEBUG does not turn them on
        client.chat_postMessage(channel="C1", text="quiet")
    assert not [r for r in caplog.records if "Sending a request" in r.getMessage()]
    with caplog.at_level(logging.DEBUG, logger="slackops.notices.web"):
        client.chat_postMessage(channel="C1", text="loud")
    assert [r for r in caplog.records if "Sending a request" in r.getMessage() and "loud" in r.getMessage()]


@pytest.mark.parametrize("value", [
    "application/json; charset=utf-8", "application/json;charset=UTF-8", "application/gzip",
    'text/html; charset="iso-8859-1"', "Application/JSON", "bogus", "", None,
    "text/plain; format=flowed; charset=latin-1",
])
def test_content_type_reads_as_the_email_package_does(value):
    """The response's media type and charset, read without the email package, agree with it."""
    from email.message import Message

    from slackops.notices.web import _content_type

    msg = Message()
    if value is not None:
        msg["Content-Type"] = value
    assert _content_type(value) == (msg.get_content_type(), msg.get_content_charset() or "utf-8")
