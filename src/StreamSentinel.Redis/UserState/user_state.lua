-- Per-user detection state: read the state before each transaction, then fold the transaction in, atomically.
-- One call handles a run of one user's transactions in order. A transaction seen before (same event id) is not
-- applied again: its stored snapshot is returned, so a redelivered transaction gets exactly the same features.
--
-- KEYS: 1 state hash, 2 window zset (member "event_id|amount", score = event time ms),
--       3 merchants zset (score = last seen ms), 4 seen hash (event_id -> snapshot)
-- ARGV: 1 ttl seconds, 2 merchants kept, 3 dedup horizon ms, 4 device trust ms, then 10 per transaction:
--       event_id, event_ms, amount, latitude, longitude, country, device, merchant, category, hour
-- Returns one snapshot per transaction: 17 comma-separated fields (see UserStateSnapshot.Parse), prefixed with '='
-- when the transaction had been applied before (a redelivery: its result may already have been published).

local state, window, merchants, seen = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ttl = tonumber(ARGV[1])
local keep_merchants = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local trust = tonumber(ARGV[4])
local out = {}

local function num(value, default)
  if value then return tonumber(value) end
  return default
end

local function fmt(x)
  return string.format('%.17g', x)
end

local newest = 0
for i = 5, #ARGV, 10 do
  local id, ts, amount = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local lat, lon = ARGV[i + 3], ARGV[i + 4]
  local country, device, merchant, category, hour = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[i + 9]
  if ts > newest then newest = ts end

  local snapshot = redis.call('HGET', seen, id)
  if snapshot then
    snapshot = '=' .. snapshot
  else
    -- Sliding windows by event time, this transaction included.
    local c1m, c1h, c24h, s1h, s24h = 1, 1, 1, amount, amount
    local earlier = redis.call('ZRANGEBYSCORE', window, '(' .. (ts - 86400000), ts, 'WITHSCORES')
    for j = 1, #earlier, 2 do
      local a = tonumber(string.match(earlier[j], '|(.*)$'))
      local at = tonumber(earlier[j + 1])
      c24h = c24h + 1
      s24h = s24h + a
      if at > ts - 3600000 then c1h = c1h + 1; s1h = s1h + a end
      if at > ts - 60000 then c1m = c1m + 1 end
    end

    local h = redis.call('HMGET', state, 'n', 'mean', 'm2', 'last_ms', 'last_lat', 'last_lon',
      'd:' .. device, 'df:' .. device, 'c:' .. country, 'k:' .. category, 'h:' .. hour)
    local n, mean, m2 = num(h[1], 0), num(h[2], 0), num(h[3], 0)
    local last_ms = num(h[4], -1)
    local known_merchant = redis.call('ZSCORE', merchants, merchant) and 1 or 0
    snapshot = table.concat({
      c1m, c1h, c24h, fmt(s1h), fmt(s24h), n, fmt(mean), fmt(m2), last_ms,
      h[5] or '0', h[6] or '0', num(h[7], 0), num(h[8], -1), num(h[9], 0), num(h[10], 0), num(h[11], 0), known_merchant,
    }, ',')

    -- Fold the transaction in: Welford's running mean and variance, habits, last position (a late transaction does
    -- not move it back in time), the window and the known merchants.
    local n1 = n + 1
    local delta = amount - mean
    mean = mean + delta / n1
    m2 = m2 + delta * (amount - mean)
    -- One HSET for everything the hash learns (the counts were read above): each redis.call costs about as much as
    -- the arithmetic around it, so the script makes as few as it can.
    local update = { 'n', n1, 'mean', fmt(mean), 'm2', fmt(m2),
      'd:' .. device, num(h[7], 0) + 1, 'c:' .. country, num(h[9], 0) + 1,
      'k:' .. category, num(h[10], 0) + 1, 'h:' .. hour, num(h[11], 0) + 1 }
    -- Only a device the user has paid from for a while moves the last known position: a fraudster's burst from a
    -- new device far away must not make the cardholder's next payment at home look like impossible travel.
    local first = num(h[8], -1)
    if ts >= last_ms and (n == 0 or (first >= 0 and ts - first >= trust)) then
      update[#update + 1] = 'last_ms'; update[#update + 1] = ts
      update[#update + 1] = 'last_lat'; update[#update + 1] = lat
      update[#update + 1] = 'last_lon'; update[#update + 1] = lon
    end
    if first < 0 or ts < first then
      update[#update + 1] = 'df:' .. device; update[#update + 1] = ts
    end
    redis.call('HSET', state, unpack(update))
    redis.call('ZADD', window, ts, id .. '|' .. ARGV[i + 2])
    redis.call('ZADD', merchants, ts, merchant)
    redis.call('HSET', seen, id, snapshot)
  end
  out[#out + 1] = snapshot
end

-- Forget what fell out of the longest window (and its dedup entry), and the least recent merchants.
local expired = redis.call('ZRANGEBYSCORE', window, '-inf', '(' .. (newest - horizon))
for j = 1, #expired do
  redis.call('HDEL', seen, string.match(expired[j], '^(.*)|'))
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', window, '-inf', '(' .. (newest - horizon)) end
redis.call('ZREMRANGEBYRANK', merchants, 0, -(keep_merchants + 1))
for k = 1, 4 do redis.call('EXPIRE', KEYS[k], ttl) end
return out
