-- ARGV: P, id, now, nowMs, retentionMs, maxLines, maxBytes, canceledLine
local job = P .. 'job:' .. id
local state = redis.call('HGET', job, 'state')
if not state or isFinal(state) then return 0 end
if state == 'Queued' then
  finish(id, 'Canceled', ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), '', ARGV[8], true)
else
  redis.call('HSET', job, 'cancel', 1)
  changed(id)
end
-- The node that holds the job hears it now, or at its next heartbeat if the message is lost.
redis.call('SADD', P .. 'node-cancels:' .. redis.call('HGET', job, 'node'), id)
redis.call('PUBLISH', P .. 'cancel', id)
return 1
