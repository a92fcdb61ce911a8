-- ARGV: P, '', now, nowMs, retentionMs, maxLines, maxBytes, node, line
local node = ARGV[8]
if redis.call('EXISTS', P .. 'node:' .. node) == 1 then return 0 end
local count = 0
for _, jobId in ipairs(redis.call('SMEMBERS', P .. 'node-jobs:' .. node)) do
  count = count + finish(jobId, 'Interrupted', ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), '', ARGV[9], false)
end
redis.call('DEL', P .. 'node-jobs:' .. node, P .. 'node-cancels:' .. node)
redis.call('SREM', P .. 'nodes', node)
return count
