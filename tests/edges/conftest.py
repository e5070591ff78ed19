"""The edges are probed against the same app the Slack scenarios use: HTTP on 127.0.0.1,
the fake Web API, a real Redis (tests/slack/conftest.py)."""

from tests.slack.conftest import desk  # noqa: F401 - the fixture, shared
