-- ARGV: P, id, attempt, runAtMs, line, maxLines, maxBytes. Running attempt `attempt` → Scheduled for the next one.
-- 1 done, 2 done already (a retried call), 0 not running that attempt or a cancel was asked for, -1 Redis forgot the job.
local job = P .. 'job:' .. id
local state, attempt, cancel = unpack(redis.call('HMGET', job, 'state', 'attempt', 'cancel'))
if not state then return -1 end
attempt = tonumber(attempt) or 1
if state == 'Scheduled' and attempt == tonumber(ARGV[3]) + 1 then return 2 end
if state ~= 'Running' or attempt ~= tonumber(ARGV[3]) or cancel == '1' then return 0 end
reschedule(id, tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]))
return 1
