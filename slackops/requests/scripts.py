"""The request store's Lua scripts: one atomic step for every write (``WRITE``: open,
apply an event, patch; with its history entry, indexes, alarms and idempotency key) and
for clearing a handled alarm (``ALARM_DONE``)."""

from __future__ import annotations

__all__ = ["ALARM_DONE", "WRITE"]

WRITE = """
-- ARGV: 1 mode (open|apply|patch), 2 request id (the prefix "ACME-" when opening),
-- 3 expected write count, 4 body (codec.body_text), 5 event JSON (none for a patch),
-- 6 history stream, 7 idempotency key or '', 8 its TTL, 9 counter, 10 request key,
-- 11 done-alarms set, 12 deadline index, 13 conditional alarms ("suffix TAB score" lines),
-- 14 operations ("COMMAND TAB arg TAB arg" lines; keys and members hold no tab or newline;
--    "SKIPIF TAB key TAB n" skips the next n lines when the key exists)
-- When opening, "\\1" in keys and arguments stands for the new id.
local mode = ARGV[1]
if ARGV[7] ~= '' then
  local prev = redis.call('GET', ARGV[7])
  if prev then
    redis.call('EXPIRE', ARGV[7], ARGV[8])  -- a write, so that WAIT covers the first one too
    return {'dup', prev}
  end
end
local opening = mode == 'open'
local function fill(s)
  if opening then return (string.gsub(s, '\\1', ARGV[2])) end
  return s
end
local id, version, writes
if opening then
  id = ARGV[2] .. redis.call('INCR', ARGV[9])
  ARGV[2] = id
  version, writes = 1, 1
else
  id = ARGV[2]
  local cur = redis.call('GET', ARGV[10])
  if not cur then return {'missing'} end
  local v, w = string.match(cur, '^{"v":(%d+),"w":(%d+)')
  if tonumber(w) ~= tonumber(ARGV[3]) then return {'conflict', cur} end
  version, writes = tonumber(v), tonumber(w) + 1
  if mode ~= 'patch' then version = version + 1 end
end
local sid = ''
local tail = ']}'
if mode ~= 'patch' then
  sid = redis.call('XADD', ARGV[6], '*', 'r', id, 'e', ARGV[5])
  local sep = ','
  if string.sub(ARGV[4], -1) == '[' then sep = '' end
  tail = sep .. '"' .. sid .. '"]}'
end
local blob = '{"v":' .. version .. ',"w":' .. writes .. ',"id":"' .. id .. '"' .. ARGV[4] .. tail
redis.call('SET', fill(ARGV[10]), blob)
local function split(text, sep)
  local out = {}
  for part in string.gmatch(text, '([^' .. sep .. ']+)') do out[#out + 1] = part end
  return out
end
if ARGV[13] ~= '' then
  local done = fill(ARGV[11])
  for _, pair in ipairs(split(ARGV[13], '\\n')) do
    local a = split(pair, '\\t')
    if redis.call('SISMEMBER', done, a[1]) == 0 then
      redis.call('ZADD', ARGV[12], a[2], id .. '|' .. a[1])
    end
  end
end
if ARGV[14] ~= '' then
  local skip = 0
  for _, line in ipairs(split(ARGV[14], '\\n')) do
    local op = split(line, '\\t')
    for j = 2, #op do op[j] = fill(op[j]) end
    if skip > 0 then skip = skip - 1
    elseif op[1] == 'SKIPIF' then
      if redis.call('EXISTS', op[2]) == 1 then skip = tonumber(op[3]) end
    else redis.call(unpack(op)) end
  end
end
if ARGV[7] ~= '' then redis.call('SET', ARGV[7], blob, 'EX', ARGV[8]) end
return {'ok', id, sid}
"""

ALARM_DONE = """
-- KEYS: 1 deadline index, 2 done-alarms set; ARGV: 1 member, 2 suffix, 3 score the worker saw
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return 0 end
if math.abs(tonumber(s) - tonumber(ARGV[3])) > 0.0005 then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1
"""
