-- ARGV: P, id, node. A job whose start (or schedule) was answered "unavailable" but whose create reached Redis late:
-- still Queued on this node, or Scheduled on none, so nothing ever ran it; it goes, with every trace of it.
local job = P .. 'job:' .. id
local state, node = unpack(redis.call('HMGET', job, 'state', 'node'))
if not (state == 'Scheduled' or (state == 'Queued' and node == ARGV[3])) then return 0 end
remove(id)
return 1
