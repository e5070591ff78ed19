"""A normal start says nothing a third party wants to warn about: Bolt reads
SLACK_BOT_TOKEN by itself and, given the client made with that token, would warn on every
start that the token "will be unused"."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from slackops.config import Config, Settings
from slackops.slack.app import create_app
from tests.slack.conftest import CONFIG


def _start(monkeypatch, caplog, env_token: str, client_token: str) -> list[str]:
    monkeypatch.setenv("SLACK_BOT_TOKEN", env_token)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app(Settings.from_env(), Config.model_validate(CONFIG), store=None,
                   client=WebClient(token=client_token, base_url="http://127.0.0.1:9/api/"))
    return [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")]


def test_the_token_the_client_was_made_with_is_not_warned_about(monkeypatch, caplog):
    assert _start(monkeypatch, caplog, "xoxb-same", "xoxb-same") == []


def test_a_different_token_in_the_environment_is_still_warned_about(monkeypatch, caplog):
    assert any("will be unused" in m for m in _start(monkeypatch, caplog, "xoxb-env", "xoxb-other"))
