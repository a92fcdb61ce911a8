-- ARGV: P, id, progress
local job = P .. 'job:' .. id
local state = redis.call('HGET', job, 'state')
if not state then return -1 end
if isFinal(state) or redis.call('HGET', job, 'progress') == ARGV[3] then return 0 end
redis.call('HSET', job, 'progress', ARGV[3])
changed(id)
return 1
