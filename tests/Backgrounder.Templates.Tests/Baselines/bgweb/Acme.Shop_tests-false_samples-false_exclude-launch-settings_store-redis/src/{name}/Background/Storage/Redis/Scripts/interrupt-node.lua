-- ARGV: P, '', now, nowMs, retentionMs, maxLines, maxBytes, node, line, takeOver. The jobs of a node whose heartbeat
-- is gone; with takeOver ('1'), those of this node name's previous run, which a new run of it replaces.
local node = ARGV[8]
if ARGV[10] ~= '1' and redis.call('EXISTS', P .. 'node:' .. node) == 1 then return 0 end
local count = 0
for _, jobId in ipairs(redis.call('SMEMBERS', P .. 'node-jobs:' .. node)) do
  count = count + finish(jobId, 'Interrupted', ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), '', ARGV[9], false)
end
redis.call('DEL', P .. 'node-jobs:' .. node, P .. 'node-cancels:' .. node)
if ARGV[10] ~= '1' then redis.call('SREM', P .. 'nodes', node) end
return count
