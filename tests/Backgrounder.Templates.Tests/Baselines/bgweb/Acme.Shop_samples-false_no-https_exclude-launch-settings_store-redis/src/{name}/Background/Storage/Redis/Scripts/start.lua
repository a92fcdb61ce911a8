-- ARGV: P, id, now
local job = P .. 'job:' .. id
if redis.call('HGET', job, 'state') ~= 'Queued' then return 0 end
redis.call('HSET', job, 'state', 'Running', 'started', ARGV[3])
local seq = redis.call('HGET', job, 'seq')
redis.call('ZREM', P .. 'state:Queued', id)
redis.call('ZADD', P .. 'state:Running', seq, id)
changed(id)
return 1
