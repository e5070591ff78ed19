"""The Slack app over HTTP with its publisher and outbox (tests.slack.conftest's ``desk``),
and the operations' pieces around the same Redis, store and fake Slack."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.slack.conftest import agent_controls, desk  # noqa: F401 - the fixtures, shared
from tests.workers.conftest import carried, notices  # noqa: F401

# Mon 7 Dec 2026, 12:00 in Denver (MST, UTC-7): Interopion's business hours, outside its
# 19:00-04:00 maintenance window.
NOW = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


@dataclass
class Got:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode()


def get(url: str) -> Got:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return Got(r.status, r.read(), dict(r.headers))
    except urllib.error.HTTPError as e:
        return Got(e.code, e.read(), dict(e.headers))


@pytest.fixture
def ops(desk):  # noqa: F811 - the fixture imported above
    """The operations clock of a worker on the desk's Redis, store and outbox."""
    from slackops.operations.clock import OpsClock

    return OpsClock(desk.store.redis, desk.config, desk.store, desk.outbox, desk.store.keys.prefix)


def posted(d: Any, channel: str) -> list[str]:
    """Texts of the maintenance notices posted to ``channel``, oldest first."""
    d.settle()
    return [m["text"] for m in notices(d.fake, channel) if m["notice_id"].startswith("mnt|")]
