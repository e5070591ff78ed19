"""The outbox's Lua scripts: each step of a delivery that must be one atomic write
(queue a notice once, take a batch off a queue, renew or release a destination's lease,
record a post, forget an idle destination)."""

from __future__ import annotations

__all__ = ["ADD", "IDLE", "RECORD", "RELEASE", "RENEW", "TAKE"]

# KEYS: notice hash, dest queue, dests zset, dest's foldable queue.
# ARGV: payload, dest, now, due, id, foldable, its place among the foldable ones (urgency)
ADD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'payload', ARGV[1], 'state', 'queued', 'dest', ARGV[2], 'queued_at', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
if ARGV[6] == '1' then redis.call('ZADD', KEYS[4], ARGV[7] or ARGV[4], ARGV[5]) end
redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[2])
return 1
"""

# KEYS: lease. ARGV: token, px
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: inflight, queue, foldable queue. ARGV: inflight json fields (flattened), then ids after a marker
TAKE = """
local n = tonumber(ARGV[1])
local fields = {}
for i = 2, 1 + n * 2 do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
for i = 2 + n * 2, #ARGV do
  redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('ZREM', KEYS[3], ARGV[i])
end
return 1
"""

# KEYS: inflight, watermarks, sent list, (notice hashes...). ARGV: channel, ts, batch, now, ttl, state
RECORD = """
for i = 4, #KEYS do
  redis.call('HSET', KEYS[i], 'state', ARGV[6], 'ts', ARGV[2], 'channel', ARGV[1], 'batch', ARGV[3], 'sent_at', ARGV[4])
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[5]))
end
redis.call('DEL', KEYS[1])
if ARGV[2] ~= '' then
  local w = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  if tonumber(ARGV[2]) > w then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
end
return 1
"""

# KEYS: queue, inflight, dests. ARGV: dest. Forget a destination only when it has nothing left.
IDLE = """
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 1
end
return 0
"""
