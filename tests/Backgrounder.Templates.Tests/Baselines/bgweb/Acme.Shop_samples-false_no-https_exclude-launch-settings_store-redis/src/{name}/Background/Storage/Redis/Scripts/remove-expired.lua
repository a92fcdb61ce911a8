-- ARGV: P, '', finishedBeforeMs
local expired = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', ARGV[3], 'LIMIT', 0, 1000)
for _, jobId in ipairs(expired) do remove(jobId) end
return #expired
