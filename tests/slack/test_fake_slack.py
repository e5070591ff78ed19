"""The fake Web API answers slack-sdk's real client as Slack does, and fails on demand."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from slackops.sandbox.driver import SlackDriver, sign
from slackops.sandbox.payloads import event_id, message_event, reaction_event
from slackops.sandbox.slack import FakeSlack


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


# -- what the stand-in and its driver send, against Slack's own field lists ------------------
FIELDS = Path(__file__).resolve().parents[1] / "data" / "slack_payloads" / "fields"
# user_team and source_team: in Slack Connect message events (bolt-python's captured
# message events, tests/scenario_tests/test_events_assistant.py, carry both); java-slack-sdk's
# list of message fields lacks them
MESSAGE_EXTRA = {"user_team", "source_team"}


def fields(name: str) -> dict:
    return json.loads((FIELDS / name).read_text(encoding="utf-8"))


def only_known(sent: dict, known: dict, where: str, extra: frozenset[str] | set[str] = frozenset()) -> None:
    """Every field sent is one Slack sends (nested objects too, where Slack's list has them)."""
    unknown = set(sent) - set(known) - set(extra)
    assert not unknown, f"{where}: Slack sends no {sorted(unknown)}"
    for k, v in sent.items():
        if isinstance(v, dict) and known.get(k) and isinstance(known[k], dict) and k not in ("event", "view", "message"):
            only_known(v, known[k], f"{where}.{k}")


def grid_fake(fake_slack):
    """A vendor on Enterprise Grid: org E0VENDOR, workspaces T0VENDOR and T0VENDOR2."""
    fake = FakeSlack(team_id="T0VENDOR", enterprise_id="E0VENDOR", enterprise_name="Vendor Org").start()
    fake.add_user("U0AGENT1")
    fake.add_user("W0AGENT9", team_id="T0VENDOR2", enterprise_id="E0VENDOR")
    fake.add_user("U0ACME1", team_id="T0ACME")
    fake.add_user("W0OTHER1", team_id="T0OTHER", enterprise_id="E0OTHER", enterprise_name="Other Org")
    fake.add_channel("C0ACMESHARED", shared_with=["T0ACME", "E0OTHER"])
    return fake


def captured(fake) -> tuple[SlackDriver, list]:
    """A driver whose requests land on the stand-in's recording endpoint, over HTTP."""
    return SlackDriver(fake.response_url("cap"), "secret", slack=fake), fake.responses


def test_what_the_driver_sends_has_the_fields_slack_sends_and_no_other(fake_slack):
    fake = grid_fake(fake_slack)
    try:
        d, got = captured(fake)
        card = {"type": "message", "ts": "1700000000.000100", "text": "card", "user": "U0BOT"}
        d.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED", user_team_id="T0ACME")
        d.block_action("req_take", "{}", user_id="W0AGENT9", channel_id="C0ACMESHARED", message=card)
        d.view_submission("slackops_open_request", {}, user_id="W0OTHER1")
        d.message_shortcut("open_support_request", user_id="U0ACME1", channel_id="C0ACMESHARED", message=card)
        ts = fake.post_as("W0AGENT9", "C0ACMESHARED", "on it")["ts"]
        d.event(message_event(fake.who("W0AGENT9"), "C0ACMESHARED", "on it", ts, shared=True))
        d.event(reaction_event("U0ACME1", "C0ACMESHARED", ts, "ticket", "W0AGENT9"))
        command, action, submission, shortcut, message, reaction = got
        only_known(command, fields("SlashCommandPayload.json"), "command")
        assert "user_team_id" not in command and command["team_id"] == "T0VENDOR"
        assert (command["enterprise_id"], command["is_enterprise_install"]) == ("E0VENDOR", "false")
        action = action["payload"]
        only_known(action, fields("BlockActionPayload.json"), "block_actions")
        # an agent of the org's second workspace: the org only in team and enterprise
        assert action["user"] == {"id": "W0AGENT9", "username": "w0agent9", "name": "w0agent9", "team_id": "T0VENDOR2"}
        assert action["team"]["id"] == "T0VENDOR2" and action["team"]["enterprise_id"] == "E0VENDOR"
        assert action["enterprise"] == {"id": "E0VENDOR", "name": "Vendor Org"}
        assert action["is_enterprise_install"] is False and action["api_app_id"] == "A0SLACKOPS"
        assert action["container"]["message_ts"] == card["ts"] and action["trigger_id"]
        submission = submission["payload"]
        # response_urls: in Slack's captured view_submission (tests/data/slack_payloads/view_submission.json)
        only_known(submission, fields("ViewSubmissionPayload.json"), "view_submission", {"response_urls"})
        only_known(submission["view"], fields("ViewSubmissionPayload.json")["view"], "view_submission.view",
                   {"blocks", "state", "private_metadata"})
        assert submission["enterprise"] == {"id": "E0OTHER", "name": "Other Org"}
        assert submission["view"]["app_installed_team_id"] == "T0VENDOR"
        shortcut = shortcut["payload"]
        only_known(shortcut, fields("MessageShortcutPayload.json"), "message_action")
        assert shortcut["team"] == {"id": "T0ACME", "domain": "t0acme"} and shortcut["enterprise"] is None
        for body, name in ((message, "MessagePayload.json"), (reaction, "ReactionAddedPayload.json")):
            only_known(body, fields(name), "event_callback")
            assert body["authorizations"] == [{"enterprise_id": "E0VENDOR", "team_id": "T0VENDOR", "user_id": "U0BOT",
                                               "is_bot": True, "is_enterprise_install": False}]
            assert body["is_ext_shared_channel"] is True and body["event_context"] and body["event_id"].startswith("Ev")
        only_known(message["event"], fields("MessagePayload.json")["event"], "message", MESSAGE_EXTRA)
        # an org member's message carries the org as their side
        assert (message["event"]["user_team"], message["event"]["source_team"], message["event"]["team"]) == (
            "E0VENDOR", "E0VENDOR", "T0VENDOR2")
        only_known(reaction["event"], fields("ReactionAddedPayload.json")["event"], "reaction_added")
        assert "user_team" not in reaction["event"]
    finally:
        fake.stop()


def test_a_plain_workspace_customer_message_names_their_workspace(fake_slack):
    fake_slack.add_user("U0ACME1", team_id="T0ACME")
    fake_slack.add_channel("C0ACMESHARED", shared_with=["T0ACME"])
    d, got = captured(fake_slack)
    ts = fake_slack.post_as("U0ACME1", "C0ACMESHARED", "hello")["ts"]
    d.event(message_event(fake_slack.who("U0ACME1"), "C0ACMESHARED", "hello", ts, shared=True))
    d.event({"type": "member_joined_channel", "user": "U0BOT", "channel": "C0PRIVATE", "channel_type": "C",
             "team": "T0VENDOR", "event_ts": "1.0"})
    message, joined = got
    assert {k: message["event"][k] for k in ("team", "user_team", "source_team")} == {
        "team": "T0ACME", "user_team": "T0ACME", "source_team": "T0ACME"}
    assert "enterprise_id" not in message and message["authorizations"][0]["enterprise_id"] is None
    assert joined["is_ext_shared_channel"] is False


def test_event_ids_are_never_reused(fake_slack):
    """Slack's event ids are unique: a sandbox started again must not send one the app saw."""
    ids = [event_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("Ev") and i[2:].isalnum() and i[2:].isupper() for i in ids)
    assert min(ids) > "Ev1"  # not a count from 1


def test_web_api_answers_as_slack_documents_them(fake_slack):
    fake = grid_fake(fake_slack)
    org = FakeSlack(team_id="T0VENDOR", enterprise_id="E0VENDOR", org_install=True).start()
    try:
        c = client(fake)
        u = c.users_info(user="W0AGENT9")["user"]
        only_known(u, fields("users.info.json")["user"], "users.info")
        assert u["team_id"] == "T0VENDOR2" and u["enterprise_user"]["enterprise_id"] == "E0VENDOR"
        ext = c.users_info(user="W0OTHER1")["user"]
        assert ext["team_id"] == "T0OTHER" and ext["enterprise_user"]["enterprise_id"] == "E0OTHER"
        ch = c.conversations_info(channel="C0ACMESHARED")["channel"]
        only_known(ch, fields("conversations.info.json")["channel"], "conversations.info")
        assert (ch["is_shared"], ch["is_ext_shared"], ch["conversation_host_id"]) == (True, True, "T0VENDOR")
        assert ch["shared_team_ids"] == ["T0VENDOR", "T0ACME", "E0OTHER"]
        who = c.auth_test()
        only_known(dict(who.data), fields("auth.test.json"), "auth.test")
        assert (who["is_enterprise_install"], who["enterprise_id"], who["team_id"]) == (False, "E0VENDOR", "T0VENDOR")
        whole = client(org).auth_test()
        assert (whole["is_enterprise_install"], whole["enterprise_id"]) == (True, "E0VENDOR")
        # the bot left a channel: not_in_channel; an unknown one: channel_not_found
        fake.add_channel("C0LEFT", bot_member=False)
        for call in (lambda: c.chat_postMessage(channel="C0LEFT", text="x"),
                     lambda: c.conversations_history(channel="C0LEFT")):
            with pytest.raises(SlackApiError) as e:
                call()
            assert e.value.response["error"] == "not_in_channel"
        with pytest.raises(SlackApiError) as e:
            c.conversations_info(channel="C0NOWHERE")
        assert e.value.response["error"] == "channel_not_found"
        fake.fail_next("users.info", 429, retry_after=7)
        with pytest.raises(SlackApiError) as e:
            c.users_info(user="W0AGENT9")
        assert e.value.response.status_code == 429 and e.value.response.headers["Retry-After"] in ("7", ["7"])
        assert e.value.response["error"] == "ratelimited"
    finally:
        fake.stop()
        org.stop()
