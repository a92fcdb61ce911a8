-- ARGV: P, id, node. A claimed job still Queued on this node, which is stopping: Scheduled again, due as it was, on
-- no node, for any node that knows its name. 1 released, 0 not queued here (started, canceled), -1 Redis forgot it.
local job = P .. 'job:' .. id
local state, node, seq, runAt = unpack(redis.call('HMGET', job, 'state', 'node', 'seq', 'runat'))
if not state then return -1 end
if state ~= 'Queued' or node ~= ARGV[3] then return 0 end
redis.call('HSET', job, 'state', 'Scheduled', 'node', '')
move(id, 'Queued', 'Scheduled', seq)
redis.call('SREM', P .. 'node-jobs:' .. node, id)
redis.call('ZADD', P .. 'due:' .. nameOf(id), runAt or 0, id)
redis.call('PUBLISH', P .. 'scheduled', runAt or 0)
changed(id)
return 1
