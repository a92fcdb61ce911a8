-- ARGV: P, id, state, name, node, then the record's fields as name, value pairs: the record its node still holds,
-- written back after Redis forgot it (a restart without persistence, FLUSHDB). A job Redis still has is left alone.
local job = P .. 'job:' .. id
if redis.call('EXISTS', job) == 1 then return 0 end
redis.call('DEL', P .. 'lines:' .. id)
redis.call('HSET', job, unpack(ARGV, 6))
index(id, ARGV[3], ARGV[4], ARGV[5])
changed(id)
return 1
