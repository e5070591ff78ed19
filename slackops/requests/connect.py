"""A Redis client for a ``REDIS_URL``, Sentinel included, that rides out a failover.

``redis://``, ``rediss://`` (TLS) and ``unix://`` go to one server.
``redis+sentinel://[:password@]host1:26379,host2:26379/SERVICE/DB`` (``rediss+sentinel://``
for TLS to the data servers) asks the Sentinels which server is the primary of ``SERVICE``
and follows it when they promote a replica: redis-py's Sentinel support reconnects to the
new primary, and the client's retry policy (:data:`RETRIES` with a backoff capped at a
second) keeps a command waiting through the seconds a failover takes instead of failing.
The password (if any) is the data servers'; ``?sentinel_password=...`` gives the Sentinels'
own when they have one.

With Sentinel the request store waits for a replica to have each write before it reports it
saved (:func:`replicas_to_wait`): see docs/production.md.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis as redis_py
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool, SentinelManagedConnection

from slackops.errors import SlackopsError

__all__ = ["NotReplicated", "SentinelURL", "client_for_url", "describe", "eval_and_wait", "parse_sentinel_url", "replicas_to_wait", "without_retries", "SCHEMES"]

SCHEMES = ("redis", "rediss", "unix", "redis+sentinel", "rediss+sentinel")
#: Retries of a command that met a broken connection: with the backoff below, about 20 s,
#: more than Sentinel needs to notice a dead primary and promote a replica.
RETRIES = 25
#: How long a store write waits for a replica's acknowledgement (``WAIT``), milliseconds.
WAIT_MS = 2000


class FollowingConnection(SentinelManagedConnection):
    """Asks the Sentinels for the primary before every connection attempt.

    redis-py's own Sentinel connection asks only on a fresh ``connect()``; a connection
    that broke in the middle of a pipeline reconnects through its retries to the address it
    had, the dead primary, until they run out (about 20 s here). This one follows the
    promotion as soon as the Sentinels announce it."""

    def _connect(self):  # type: ignore[no-untyped-def]
        if self.connection_pool.is_master:
            self.host, self.port = self.connection_pool.get_master_address()
        return super()._connect()  # type: ignore[misc]  # types-redis (4.x stubs) lacks _connect


class FollowingSSLConnection(FollowingConnection, redis_py.SSLConnection):
    """:class:`FollowingConnection` over TLS (``rediss+sentinel://``)."""


class NotReplicated(redis_py.ConnectionError):
    """A write reached the primary but not enough replicas in time (``WAIT``): not reported
    saved. Trying again with the same idempotency key returns the first write."""


@dataclass(frozen=True)
class SentinelURL:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    password: str | None = None
    username: str | None = None
    sentinel_password: str | None = None
    tls: bool = False


def parse_sentinel_url(url: str) -> SentinelURL:
    """``redis+sentinel://[user:password@]h1:26379,h2:26379/SERVICE[/DB]``; ValueError if not."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis+sentinel", "rediss+sentinel"):
        raise ValueError("not a redis+sentinel:// URL")
    netloc = parts.netloc
    userinfo, _, hosts = netloc.rpartition("@")
    username = password = None
    if userinfo:
        user, _, pw = userinfo.partition(":")
        username, password = (unquote(user) or None), (unquote(pw) or None)
    sentinels = []
    for item in hosts.split(","):
        host, _, port = item.strip().rpartition(":") if ":" in item else (item.strip(), "", "26379")
        if not host:
            raise ValueError(f"{item!r} is not host:port")
        try:
            sentinels.append((host.strip("[]"), int(port)))
        except ValueError:
            raise ValueError(f"{item!r}: the port is not a number") from None
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise ValueError("name the service after the hosts: .../SERVICE/DB")
    if len(path) > 2:
        raise ValueError("the path is /SERVICE/DB")
    try:
        db = int(path[1]) if len(path) == 2 else 0
    except ValueError:
        raise ValueError(f"the database {path[1]!r} is not a number") from None
    query = parse_qs(parts.query)
    sentinel_password = query.get("sentinel_password", [None])[0]
    return SentinelURL(tuple(sentinels), unquote(path[0]), db, password, username, sentinel_password,
                       parts.scheme.startswith("rediss"))


def describe(url: str) -> str:
    """The URL without its passwords, for messages."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hosts = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = (f"{user}:***@" if user else "***@") + hosts
    query = "&".join(q if not q.startswith("sentinel_password=") else "sentinel_password=***"
                     for q in parts.query.split("&") if q)
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def _retry() -> dict[str, Any]:
    return {
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), RETRIES),
        "retry_on_error": [redis_py.ConnectionError, redis_py.TimeoutError],
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
        "health_check_interval": 30,
    }


def client_for_url(url: str) -> redis_py.Redis[Any]:
    """A client of ``url``; SlackopsError naming the problem for a URL that is not one."""
    shown = describe(url)
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise SlackopsError(
            f"REDIS_URL {shown!r} is not a Redis URL "
            "(use redis://, rediss://, unix://, redis+sentinel:// or rediss+sentinel://)"
        )
    if scheme.endswith("+sentinel"):
        try:
            s = parse_sentinel_url(url)
        except ValueError as e:
            raise SlackopsError(f"REDIS_URL {shown!r} is not valid: {e}") from None
        sentinel_kwargs: dict[str, Any] = {"socket_connect_timeout": 2, "socket_timeout": 2}
        if s.sentinel_password:
            sentinel_kwargs["password"] = s.sentinel_password
        sentinel = Sentinel(list(s.sentinels), sentinel_kwargs=sentinel_kwargs)
        kw = _retry()
        kw["connection_class"] = FollowingSSLConnection if s.tls else FollowingConnection
        return sentinel.master_for(s.service, db=s.db, password=s.password, username=s.username, **kw)
    try:
        return redis_py.Redis.from_url(url, **_retry())
    except ValueError as e:
        raise SlackopsError(f"REDIS_URL {shown!r} is not valid: {e}") from None


@contextlib.contextmanager
def without_retries(client: redis_py.Redis[Any]) -> Iterator[None]:
    """No retries meanwhile: a server out of reach at start is said at once, not in 20 s."""
    retry = client.get_retry()  # type: ignore[attr-defined]  # types-redis (4.x stubs) lacks get_retry
    client.set_retry(Retry(NoBackoff(), 0))  # type: ignore[attr-defined]  # types-redis (4.x stubs) lacks set_retry
    try:
        yield
    finally:
        if retry is not None:
            client.set_retry(retry)  # type: ignore[attr-defined]  # types-redis (4.x stubs) lacks set_retry


def replicas_to_wait(client: redis_py.Redis[Any]) -> int:
    """How many replicas a store write waits for: ``SLACKOPS_WAIT_REPLICAS``, else 1 behind
    Sentinel (a failover must not lose what a client was told was saved), else 0."""
    env = os.environ.get("SLACKOPS_WAIT_REPLICAS")
    if env:
        try:
            return max(0, int(env))
        except ValueError:
            raise SlackopsError(f"SLACKOPS_WAIT_REPLICAS={env!r} is not a number") from None
    return 1 if isinstance(client.connection_pool, SentinelConnectionPool) else 0


def eval_and_wait(client: redis_py.Redis[Any], script: Any, args: list[Any], replicas: int) -> Any:
    """Run ``script`` (a registered Lua script, no keys) then ``WAIT`` on the same connection:
    its result once ``replicas`` replicas have the write, else :class:`NotReplicated`."""
    for _attempt in range(2):
        pipe = client.pipeline(transaction=False)
        pipe.execute_command("EVALSHA", script.sha, 0, *args)  # type: ignore[no-untyped-call]  # untyped in types-redis
        pipe.execute_command("WAIT", replicas, WAIT_MS)  # type: ignore[no-untyped-call]  # untyped in types-redis
        try:
            res, acked = pipe.execute()
        except redis_py.exceptions.NoScriptError:  # a new primary, a restarted server
            client.script_load(script.script)  # type: ignore[no-untyped-call]  # untyped in types-redis
            continue
        if int(acked) < replicas:
            raise NotReplicated(
                f"Redis has the write but {acked} of {replicas} replicas confirmed it within {WAIT_MS} ms; try again"
            )
        return res
    raise redis_py.exceptions.NoScriptError("the write script could not be loaded")
