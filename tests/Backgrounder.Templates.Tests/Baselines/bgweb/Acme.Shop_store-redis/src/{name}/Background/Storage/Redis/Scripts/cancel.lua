-- ARGV: P, id, now, nowMs, retentionMs, maxLines, maxBytes, canceledLine
local job = P .. 'job:' .. id
local state, node = unpack(redis.call('HMGET', job, 'state', 'node'))
if not state or isFinal(state) then return 0 end
if state == 'Queued' or state == 'Scheduled' then
  finish(id, 'Canceled', ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), '', ARGV[8], true)
else
  redis.call('HSET', job, 'cancel', 1)
  changed(id)
end
-- The node that holds the job hears it now, or at its next heartbeat if the message is lost. A scheduled job is on
-- no node: the cancel is all it needs.
if node and node ~= '' then
  redis.call('SADD', P .. 'node-cancels:' .. node, id)
  redis.call('PUBLISH', P .. 'cancel', id)
end
return 1
