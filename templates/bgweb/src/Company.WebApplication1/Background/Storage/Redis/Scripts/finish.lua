-- ARGV: P, id, now, nowMs, retentionMs, maxLines, maxBytes, state, error, finalLine. -1 when Redis forgot the job.
if redis.call('EXISTS', P .. 'job:' .. id) == 0 then return -1 end
return finish(id, ARGV[8], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[9], ARGV[10], false)
