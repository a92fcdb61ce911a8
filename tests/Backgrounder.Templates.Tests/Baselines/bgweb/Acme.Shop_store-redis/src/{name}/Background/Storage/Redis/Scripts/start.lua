-- ARGV: P, id, now, run. 1 when it is now Running; 2 when it already was, started by this run (its own start, sent
-- before and applied late); 0 when it can no longer start; -1 when Redis forgot the job.
local job = P .. 'job:' .. id
local state, runner, seq = unpack(redis.call('HMGET', job, 'state', 'runner', 'seq'))
if not state then return -1 end
if state == 'Running' and runner == ARGV[4] then return 2 end
if state ~= 'Queued' then return 0 end
redis.call('HSET', job, 'state', 'Running', 'started', ARGV[3], 'runner', ARGV[4])
move(id, 'Queued', 'Running', seq)
changed(id)
return 1
