-- ARGV: P, id, first, maxLines, maxBytes, lines... Lines the store has already (a retried call) are skipped.
-- 1 appended, 0 the job has finished, -1 Redis forgot the job.
local job = P .. 'job:' .. id
local state, lines = unpack(redis.call('HMGET', job, 'state', 'lines'))
if not state then return -1 end
if isFinal(state) then return 0 end
local first, count = tonumber(ARGV[3]), tonumber(lines)
if first > count then
  -- Lines were dropped on the way: they are newer than every kept line, so those go too.
  redis.call('DEL', P .. 'lines:' .. id)
  redis.call('HSET', job, 'lines', first, 'dropped', first, 'bytes', 0)
  count = first
end
addLines(id, {unpack(ARGV, 6 + count - first)}, tonumber(ARGV[4]), tonumber(ARGV[5]))
changed(id)
return 1
