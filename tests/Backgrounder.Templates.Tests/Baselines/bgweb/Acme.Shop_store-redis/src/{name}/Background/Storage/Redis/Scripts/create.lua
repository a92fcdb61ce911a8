-- ARGV: P, id, maxRetained, maxScheduled, runAtMs, state, name, node, then the record's fields as name, value pairs.
-- A create that already reached Redis (a call that timed out, retried) is not applied twice. -2: MaxScheduledJobs
-- jobs wait already.
local job = P .. 'job:' .. id
if redis.call('EXISTS', job) == 1 then return 0 end
if ARGV[6] == 'Scheduled' then
  if redis.call('ZCARD', P .. 'state:Scheduled') >= tonumber(ARGV[4]) then return -2 end
else
  makeRoom(tonumber(ARGV[3]))
end
redis.call('HSET', job, unpack(ARGV, 9))
index(id, ARGV[6], ARGV[7], ARGV[8])
if ARGV[6] == 'Scheduled' then
  redis.call('ZADD', P .. 'due:' .. ARGV[7], ARGV[5], id)
  redis.call('PUBLISH', P .. 'scheduled', ARGV[5])
end
return 1
