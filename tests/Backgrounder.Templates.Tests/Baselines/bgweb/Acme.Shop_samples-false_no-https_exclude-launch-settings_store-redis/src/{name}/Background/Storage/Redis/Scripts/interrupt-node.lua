-- ARGV: P, '', now, nowMs, retentionMs, maxLines, maxBytes, node, line, takeOver, jitter, reason. The jobs of a node
-- whose heartbeat is gone; with takeOver ('1'), those of this node name's previous run, which a new run of it replaces.
-- Each ends Interrupted, unless its class said [Retry(OnInterrupted = true)] and it has attempts left: then its next
-- attempt is scheduled, for any node that knows its name. Returns how many jobs the node had.
local node = ARGV[8]
if ARGV[10] ~= '1' and redis.call('EXISTS', P .. 'node:' .. node) == 1 then return 0 end
local count, nowMs, jitter = 0, tonumber(ARGV[4]), tonumber(ARGV[11])
for _, jobId in ipairs(redis.call('SMEMBERS', P .. 'node-jobs:' .. node)) do
  local job = P .. 'job:' .. jobId
  local state, again, attempt, retries, backoff, maxBackoff =
    unpack(redis.call('HMGET', job, 'state', 'oninterrupted', 'attempt', 'retries', 'backoff', 'maxbackoff'))
  attempt, retries = tonumber(attempt) or 1, tonumber(retries) or 0
  if state and not isFinal(state) and again == '1' and attempt <= retries then
    -- As RetryPolicy.DelayAfter: the backoff doubled per attempt, ±20 % jitter, never beyond the longest.
    local delay = math.min(tonumber(backoff) * 2 ^ math.min(attempt - 1, 30) * (0.8 + 0.4 * jitter), tonumber(maxBackoff))
    local runAt = math.floor(nowMs + delay)
    reschedule(jobId, runAt, string.format('Attempt %d of %d interrupted: %s; next attempt at %s', attempt, retries + 1, ARGV[12], utc(runAt)),
      tonumber(ARGV[6]), tonumber(ARGV[7]))
    count = count + 1
  else
    count = count + finish(jobId, 'Interrupted', ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), '', ARGV[9], false)
  end
end
redis.call('DEL', P .. 'node-jobs:' .. node, P .. 'node-cancels:' .. node)
if ARGV[10] ~= '1' then redis.call('SREM', P .. 'nodes', node) end
return count
