-- A detection worker takes a partition's state over: a new epoch fences every earlier owner, whose checkpoints
-- (checkpoint.lua) are refused from now on. Returns what the new owner needs to go on exactly where the state stands.
--
-- KEYS: 1 the partition's meta hash (epoch, applied, limit, owner)
-- ARGV: 1 owner (for people reading the hash), 2 how far past its applied offset an owner may publish
-- Returns {epoch, applied, previous limit, limit}: the offset of the last transaction the state holds (-1: none),
-- the highest offset an earlier owner may have published a result for, and the new owner's own limit.

local meta = KEYS[1]
local epoch = redis.call('HINCRBY', meta, 'epoch', 1)
local applied = tonumber(redis.call('HGET', meta, 'applied') or '-1')
local previous = tonumber(redis.call('HGET', meta, 'limit') or '-1')
-- The limit only grows: it bounds every result any owner may have published, which the next owner marks as a
-- possible repeat.
local limit = math.max(previous, applied + tonumber(ARGV[2]))
redis.call('HSET', meta, 'owner', ARGV[1], 'limit', limit)
return {epoch, applied, previous, limit}
