-- ARGV: P, id, maxRetained, state, name, node, then the record's fields as name, value pairs.
-- A create that already reached Redis (a call that timed out, retried) is not applied twice.
local job = P .. 'job:' .. id
if redis.call('EXISTS', job) == 1 then return 0 end
-- MaxRetainedJobs across every node: the oldest finished jobs make room, never a queued or running one.
local total = redis.call('ZCARD', P .. 'jobs')
while total >= tonumber(ARGV[3]) do
  local oldest = redis.call('ZRANGE', P .. 'finished', 0, 0)
  if #oldest == 0 then break end
  remove(oldest[1])
  total = total - 1
end
redis.call('HSET', job, unpack(ARGV, 7))
index(id, ARGV[4], ARGV[5], ARGV[6])
return 1
