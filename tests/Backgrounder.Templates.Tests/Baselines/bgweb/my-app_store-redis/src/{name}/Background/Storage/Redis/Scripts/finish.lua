-- ARGV: P, id, now, nowMs, retentionMs, maxLines, maxBytes, state, error, finalLine, attempt. A queued or running job
-- ends; with an attempt given, only while it is on that attempt, so a run its node was taken for gone in never ends
-- the next one. A scheduled job waits for no node: only a cancel ends it. -1 when Redis forgot the job.
local state, attempt = unpack(redis.call('HMGET', P .. 'job:' .. id, 'state', 'attempt'))
if not state then return -1 end
if state == 'Scheduled' or (ARGV[11] ~= '' and (tonumber(attempt) or 1) ~= tonumber(ARGV[11])) then return 0 end
return finish(id, ARGV[8], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[9], ARGV[10], false)
