"""The Slack app beside the workers' harness, on the same store: for the buttons and forms
of managers and customers (requests signed as Slack signs them), and the publisher that
turns the history's events into notices."""

from __future__ import annotations

import threading
from typing import Any

from slackops.config import Settings

SECRET = "test-signing-secret"


class App:
    """The Slack app on the same store, for the managers' button."""

    def __init__(self, h: Any, fake: Any, users: tuple[str, ...] = ("U0AGENT1", "U0DIR1", "U0DIR2"),
                 publish: bool = False) -> None:
        from slackops.notices.web import make_client
        from slackops.sandbox.driver import SlackDriver
        from slackops.slack.app import create_app
        from slackops.slack.server import HttpServer

        for uid in users:
            fake.add_user(uid, team_id="T0VENDOR")
        settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, slack_api_url=fake.url, mode="http")
        self.app = create_app(settings, h.ctx.config, h.store, make_client(settings))
        self.server = HttpServer(self.app, "127.0.0.1", 0).start()
        self.driver = SlackDriver(self.server.url, SECRET, team_id="T0VENDOR", response_url=fake.response_url(),
                                  slack=fake)

        self.publisher = h.ctx.publisher
        self._thread: threading.Thread | None = None
        if publish:
            self.publisher.ensure_groups()
            self._thread = threading.Thread(target=self.publisher.run, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.publisher.stop()
            self._thread.join(10)
        self.server.stop()
