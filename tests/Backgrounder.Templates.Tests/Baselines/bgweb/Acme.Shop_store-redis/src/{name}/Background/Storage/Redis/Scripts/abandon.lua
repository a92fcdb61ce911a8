-- ARGV: P, id, node. A job whose start was answered "unavailable" but whose create reached Redis late: still
-- Queued on this node, so nothing ever ran it; it goes, with every trace of it.
local job = P .. 'job:' .. id
if redis.call('HGET', job, 'state') ~= 'Queued' or redis.call('HGET', job, 'node') ~= ARGV[3] then return 0 end
remove(id)
return 1
