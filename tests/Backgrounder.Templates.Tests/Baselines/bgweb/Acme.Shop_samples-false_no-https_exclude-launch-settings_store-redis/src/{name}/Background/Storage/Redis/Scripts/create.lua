-- ARGV: P, id, created, node, owner, maxRetained, name, kind, arguments (JSON), repeats (a job id), traceparent;
-- empty for none
local job = P .. 'job:' .. id
if redis.call('EXISTS', job) == 1 then return redis.error_reply('job ' .. id .. ' exists') end
-- MaxRetainedJobs across every node: the oldest finished jobs make room, never a queued or running one.
local total = redis.call('ZCARD', P .. 'jobs')
while total >= tonumber(ARGV[6]) do
  local oldest = redis.call('ZRANGE', P .. 'finished', 0, 0)
  if #oldest == 0 then break end
  remove(oldest[1])
  total = total - 1
end
local seq = redis.call('INCR', P .. 'seq')
redis.call('HSET', job, 'state', 'Queued', 'created', ARGV[3], 'node', ARGV[4], 'owner', ARGV[5],
  'name', ARGV[7], 'kind', ARGV[8], 'args', ARGV[9], 'repeats', ARGV[10], 'traceparent', ARGV[11],
  'lines', 0, 'dropped', 0, 'bytes', 0, 'cancel', 0, 'seq', seq)
redis.call('ZADD', P .. 'jobs', seq, id)
redis.call('ZADD', P .. 'state:Queued', seq, id)
redis.call('HSET', P .. 'names', id, ARGV[7])
redis.call('ZADD', P .. 'name:' .. ARGV[7], seq, id)
redis.call('ZADD', P .. 'name-state:Queued:' .. ARGV[7], seq, id)
redis.call('SADD', P .. 'node-jobs:' .. ARGV[4], id)
redis.call('SADD', P .. 'nodes', ARGV[4])
return 1
