local P = ARGV[1]
-- ARGV: P, '', node, run: the jobs Queued on this node by a claim of this run, to find those of a claim that was
-- answered with an error yet applied.
local found = {}
for _, jobId in ipairs(redis.call('SMEMBERS', P .. 'node-jobs:' .. ARGV[3])) do
  local state, claimer = unpack(redis.call('HMGET', P .. 'job:' .. jobId, 'state', 'claimer'))
  if state == 'Queued' and claimer == ARGV[4] then found[#found + 1] = jobId end
end
return found
