"""The fake Web API answers slack-sdk's real client as Slack does, and fails on demand."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from slackops.sandbox.driver import SlackDriver, sign


def client(fake, **kw):
    return WebClient(token="xoxb-test", base_url=fake.url, **kw)


def test_post_update_and_read_back(fake_slack):
    c = client(fake_slack)
    root = c.chat_postMessage(channel="C1", text="card", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
                              metadata={"event_type": "slackops_notice", "event_payload": {"notice_id": "n1"}})
    reply = c.chat_postMessage(channel="C1", text="in thread", thread_ts=root["ts"])
    c.chat_update(channel="C1", ts=root["ts"], text="card v2")
    assert [m["text"] for m in fake_slack.messages("C1")] == ["card v2", "in thread"]
    assert [m["ts"] for m in fake_slack.messages("C1", thread_ts=root["ts"])] == [reply["ts"]]
    hist = c.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert [m["text"] for m in hist] == ["card v2"]
    assert hist[0]["metadata"]["event_payload"]["notice_id"] == "n1"
    assert "metadata" not in c.conversations_history(channel="C1")["messages"][0]
    replies = c.conversations_replies(channel="C1", ts=root["ts"])["messages"]
    assert [m["text"] for m in replies] == ["card v2", "in thread"]
    call = fake_slack.calls_to("chat.postMessage")[0]
    assert call.params["blocks"][0]["type"] == "section" and call.headers["authorization"] == "Bearer xoxb-test"


def test_errors_as_slack_gives_them(fake_slack):
    c = client(fake_slack)
    with pytest.raises(SlackApiError) as e:
        c.users_info(user="U0NOBODY")
    assert e.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as e:
        c.chat_postMessage(channel="C1", text="x", thread_ts="1.000001")
    assert e.value.response["error"] == "thread_not_found"
    with pytest.raises(SlackApiError) as e:
        c.views_open(trigger_id="t", view={"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": []})
    assert e.value.response["error"] == "invalid_arguments"


def test_users_usergroups_dm(fake_slack):
    fake_slack.add_user("U0EXT", team_id="T0ACME", is_stranger=True, tz="Asia/Seoul")
    fake_slack.add_usergroup("S0AGENTS", ["U0AGENT1"])
    c = client(fake_slack)
    u = c.users_info(user="U0EXT")["user"]
    assert (u["team_id"], u["is_stranger"], u["tz"]) == ("T0ACME", True, "Asia/Seoul")
    assert c.usergroups_users_list(usergroup="S0AGENTS")["users"] == ["U0AGENT1"]
    assert c.conversations_open(users="U0MGR1")["channel"]["id"] == "D0MGR1"


def test_429_with_retry_after_then_success_via_sdk_retry_handler(fake_slack):
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    c = client(fake_slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)])
    started = time.monotonic()
    c.chat_postMessage(channel="C1", text="hello")
    assert time.monotonic() - started >= 2.0  # two Retry-After waits of 1 s
    assert [call.status for call in fake_slack.calls_to("chat.postMessage")] == [429, 429, 200]
    assert len(fake_slack.messages("C1")) == 1


def test_5xx_and_timeout(fake_slack):
    fake_slack.fail_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError):
        client(fake_slack).chat_postMessage(channel="C1", text="x")
    fake_slack.fail_next("chat.postMessage", status=500)
    client(fake_slack, retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)]).chat_postMessage(channel="C1", text="y")
    assert [m["text"] for m in fake_slack.messages("C1")] == ["y"]
    # A timeout: the client gives up, but Slack may still have posted (as the real one can).
    fake_slack.fail_next("chat.postMessage", status="timeout", delay=1.5)
    with pytest.raises((TimeoutError, OSError)):
        client(fake_slack, timeout=0.5).chat_postMessage(channel="C1", text="z")
    time.sleep(1.5)
    assert [m["text"] for m in fake_slack.messages("C1")] == ["y", "z"]


def test_rate_limit_mode(fake_slack):
    fake_slack.rate_limit(1.0, burst=1)
    c = client(fake_slack)
    c.chat_postMessage(channel="C1", text="1")
    with pytest.raises(SlackApiError) as e:
        c.chat_postMessage(channel="C1", text="2")
    assert e.value.response.status_code == 429 and e.value.response.headers["Retry-After"] == "1"
    c.chat_postMessage(channel="C2", text="other channel has its own budget")


def test_signature_is_slacks():
    # Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
            b"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    assert sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_driver_posts_signed_requests_to_a_bolt_app(fake_slack):
    """End to end: a real Bolt app behind a real HTTP server verifies the driver's signature."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    app = App(token="xoxb-test", signing_secret="s3cret", client=client(fake_slack), token_verification_enabled=False)
    seen = []

    @app.command("/support")
    def _(ack, command):
        seen.append(command["text"])
        ack("ok")

    class Quiet(WSGIRequestHandler):
        def log_message(self, *a):
            pass

    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        d = SlackDriver(f"http://127.0.0.1:{server.server_port}/slack/events", "s3cret")
        assert d.command(text="P1 help", user_id="U1", channel_id="C1").status == 200
        assert seen == ["P1 help"]
        bad = SlackDriver(d.url, "wrong").command(text="forged", user_id="U1", channel_id="C1")
        assert bad.status == 401 and seen == ["P1 help"]
    finally:
        server.shutdown()
