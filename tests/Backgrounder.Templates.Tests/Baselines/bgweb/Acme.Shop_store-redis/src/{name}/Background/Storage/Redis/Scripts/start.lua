-- ARGV: P, id, now
local job = P .. 'job:' .. id
if redis.call('HGET', job, 'state') ~= 'Queued' then return 0 end
redis.call('HSET', job, 'state', 'Running', 'started', ARGV[3])
move(id, 'Queued', 'Running', redis.call('HGET', job, 'seq'))
changed(id)
return 1
