"""Per-channel pacing shared by every worker through Redis.

Slack takes about one message per second per channel (``chat.postMessage``). Each
channel has a "next free instant" in one Redis hash; a worker reserves the next slot
atomically (so two workers on two machines never post into the same second) and
a 429 pushes the channel's next free instant to ``now + Retry-After``.
"""

from __future__ import annotations

import redis as redis_py

from slackops.notices.keys import PACE

__all__ = ["Pacer"]

# KEYS[1] pace hash; ARGV: channel, now, interval. Returns the reserved instant.
_RESERVE = """
local t = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local now = tonumber(ARGV[2])
if t < now then t = now end
redis.call('HSET', KEYS[1], ARGV[1], tostring(t + tonumber(ARGV[3])))
return tostring(t)
"""

# KEYS[1] pace hash; ARGV: channel, until. Only ever moves the next free instant later.
_PUSH = """
local t = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > t then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
"""


class Pacer:
    """``reserve(channel, now)`` -> the instant at which this caller may post."""

    def __init__(self, redis: redis_py.Redis, prefix: str, interval: float = 1.0) -> None:
        self.redis = redis
        self.key = PACE.format(prefix=prefix)
        self.interval = interval
        self._reserve = redis.register_script(_RESERVE)
        self._push = redis.register_script(_PUSH)

    def next_free(self, channel: str) -> float:
        v = self.redis.hget(self.key, channel)
        return float(v) if v else 0.0

    def reserve(self, channel: str, now: float) -> float:
        return float(self._reserve(keys=[self.key], args=[channel, repr(now), repr(self.interval)]))

    def push_back(self, channel: str, until: float) -> None:
        """Slack said wait (429 Retry-After): nobody posts to this channel before ``until``."""
        self._push(keys=[self.key], args=[channel, repr(until)])
