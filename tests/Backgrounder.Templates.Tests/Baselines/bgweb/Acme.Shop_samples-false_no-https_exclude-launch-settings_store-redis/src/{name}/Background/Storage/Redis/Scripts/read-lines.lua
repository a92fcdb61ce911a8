-- ARGV: P, id, from
local P, id, from = ARGV[1], ARGV[2], tonumber(ARGV[3])
local count = tonumber(redis.call('HGET', P .. 'job:' .. id, 'lines'))
if not count then return {from, {}} end
local kept = redis.call('LLEN', P .. 'lines:' .. id)
local first = count - kept
local start = math.min(math.max(from, first), count)
return {start, redis.call('LRANGE', P .. 'lines:' .. id, start - first, -1)}
