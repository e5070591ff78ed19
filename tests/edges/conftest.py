"""The edges are probed against the same app and workers the other scenarios use: HTTP
on 127.0.0.1, the fake Web API, a real Redis (tests/slack/conftest.py, tests/workers/conftest.py)."""

from tests.slack.conftest import agent_controls, desk  # noqa: F401 - the fixtures, shared
from tests.workers.conftest import config, policy_file  # noqa: F401
