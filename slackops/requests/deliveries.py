"""Inbound de-duplication: Slack redelivers an event or a form it thinks went unanswered;
a side effect that a redelivery must not repeat asks here first."""

from __future__ import annotations

import redis as redis_py

from slackops.requests.keys import Keys

__all__ = ["Deliveries"]


class Deliveries:
    def __init__(self, redis: redis_py.Redis[bytes], keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    def first(self, key: str, ttl_seconds: int = 86400) -> bool:
        """True the first time ``key`` (a Slack event_id, a view id) is seen within
        ``ttl_seconds`` (SET NX EX: one answer however many processes ask at once)."""
        return bool(self.redis.set(self.keys.delivery(key), b"1", nx=True, ex=int(ttl_seconds)))
