-- One checkpoint of a partition's state: the users changed since the last one and the offset of the last transaction
-- applied, written together, and only by the partition's current owner (its epoch from claim.lua). Every result up
-- to that offset was acknowledged by Kafka before this runs.
--
-- KEYS: 1 the partition's meta hash, 2 the partition's users hash (user id -> stored state)
-- ARGV: 1 epoch, 2 applied offset, 3 how far past it the owner may publish, then user id and state, pair by pair
-- Returns the owner's new limit, or -1 when another owner has taken the partition over (nothing is written).

local meta, users = KEYS[1], KEYS[2]
if tonumber(redis.call('HGET', meta, 'epoch') or '0') ~= tonumber(ARGV[1]) then
  return -1
end

-- unpack() is bounded by Lua's stack: a few thousand fields per HSET.
for i = 4, #ARGV, 2000 do
  redis.call('HSET', users, unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end

local applied = tonumber(ARGV[2])
local limit = math.max(tonumber(redis.call('HGET', meta, 'limit') or '-1'), applied + tonumber(ARGV[3]))
redis.call('HSET', meta, 'applied', applied, 'limit', limit)
return limit
