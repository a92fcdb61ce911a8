-- ARGV: P, id, from, most. At most `most` lines from number `from` on (or from the oldest kept), so a long output is
-- read in pages that never hold Redis long: {first line's number, lines, line count}.
local P, id, from, most = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local count = tonumber(redis.call('HGET', P .. 'job:' .. id, 'lines'))
if not count then return {from, {}, from} end
local kept = redis.call('LLEN', P .. 'lines:' .. id)
local first = count - kept
local start = math.min(math.max(from, first), count)
return {start, redis.call('LRANGE', P .. 'lines:' .. id, start - first, start - first + most - 1), count}
