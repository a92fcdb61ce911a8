local P, id = ARGV[1], ARGV[2]
local function changed(jobId) redis.call('PUBLISH', P .. 'changed', jobId) end
local function isFinal(state) return state ~= 'Scheduled' and state ~= 'Queued' and state ~= 'Running' end

-- A job's name is kept in 'names' (which never expires) as well as in its hash, so its name's indexes are swept
-- even after the hash expired.
local function nameOf(jobId) return redis.call('HGET', P .. 'names', jobId) or '' end

-- Moves a job from one state's indexes to another's: the state's and the state-and-name one.
local function move(jobId, from, to, seq)
  local name = nameOf(jobId)
  redis.call('ZREM', P .. 'state:' .. from, jobId)
  redis.call('ZADD', P .. 'state:' .. to, seq, jobId)
  redis.call('ZREM', P .. 'name-state:' .. from .. ':' .. name, jobId)
  redis.call('ZADD', P .. 'name-state:' .. to .. ':' .. name, seq, jobId)
end

-- Puts a new job (created, or re-created by its node after Redis forgot it) in every index it belongs to.
local function index(jobId, state, name, node)
  local seq = redis.call('INCR', P .. 'seq')
  redis.call('HSET', P .. 'job:' .. jobId, 'seq', seq)
  redis.call('ZADD', P .. 'jobs', seq, jobId)
  redis.call('ZADD', P .. 'state:' .. state, seq, jobId)
  redis.call('HSET', P .. 'names', jobId, name)
  redis.call('ZADD', P .. 'name:' .. name, seq, jobId)
  redis.call('ZADD', P .. 'name-state:' .. state .. ':' .. name, seq, jobId)
  -- A scheduled job is on no node until one claims it: a node that goes takes none of them with it.
  if node ~= '' then
    redis.call('SADD', P .. 'node-jobs:' .. node, jobId)
    redis.call('SADD', P .. 'nodes', node)
  end
end

-- Appends a batch of lines and drops the oldest past the line and byte limits; the newest always stays. One RPUSH
-- and one HSET for the batch, whatever its size: a chatty job costs Redis little more than a quiet one.
local function addLines(jobId, batch, maxLines, maxBytes)
  if #batch == 0 then return end
  local job, lines = P .. 'job:' .. jobId, P .. 'lines:' .. jobId
  local kept = redis.call('RPUSH', lines, unpack(batch))
  local size = 0
  for _, line in ipairs(batch) do size = size + #line end
  local stored = redis.call('HMGET', job, 'lines', 'bytes')
  local count, bytes = (tonumber(stored[1]) or 0) + #batch, (tonumber(stored[2]) or 0) + size
  while kept > maxLines or (bytes > maxBytes and kept > 1) do
    bytes = bytes - #redis.call('LPOP', lines)
    kept = kept - 1
  end
  redis.call('HSET', job, 'lines', count, 'bytes', bytes, 'dropped', count - kept)
end

-- The final state, its last line and the keys' time to live, in one step.
local function finish(jobId, state, now, nowMs, retentionMs, maxLines, maxBytes, err, line, cancel)
  local job = P .. 'job:' .. jobId
  local from, seq, node = unpack(redis.call('HMGET', job, 'state', 'seq', 'node'))
  if not from or isFinal(from) then return 0 end
  if line ~= '' then addLines(jobId, {line}, maxLines, maxBytes) end
  redis.call('HSET', job, 'state', state, 'finished', now)
  redis.call('ZREM', P .. 'due:' .. nameOf(jobId), jobId)
  if err ~= '' then redis.call('HSET', job, 'error', err) end
  if cancel then redis.call('HSET', job, 'cancel', 1) end
  move(jobId, from, state, seq)
  redis.call('ZADD', P .. 'finished', nowMs, jobId)
  redis.call('SREM', P .. 'node-jobs:' .. node, jobId)
  redis.call('PEXPIRE', job, retentionMs)
  redis.call('PEXPIRE', P .. 'lines:' .. jobId, retentionMs)
  changed(jobId)
  return 1
end

local function remove(jobId)
  local node = redis.call('HGET', P .. 'job:' .. jobId, 'node')
  if node then redis.call('SREM', P .. 'node-jobs:' .. node, jobId) end
  redis.call('DEL', P .. 'job:' .. jobId, P .. 'lines:' .. jobId)
  redis.call('ZREM', P .. 'jobs', jobId)
  redis.call('ZREM', P .. 'finished', jobId)
  local name = nameOf(jobId)
  redis.call('ZREM', P .. 'name:' .. name, jobId)
  redis.call('ZREM', P .. 'due:' .. name, jobId)
  redis.call('HDEL', P .. 'names', jobId)
  for _, s in ipairs({'Scheduled', 'Queued', 'Running', 'Succeeded', 'Failed', 'Canceled', 'Interrupted'}) do
    redis.call('ZREM', P .. 'state:' .. s, jobId)
    redis.call('ZREM', P .. 'name-state:' .. s .. ':' .. name, jobId)
  end
  changed(jobId)
end
-- MaxRetainedJobs across every node, before one more job counts: the oldest finished jobs make room, never a
-- scheduled, queued or running one. Scheduled jobs do not count (MaxScheduledJobs bounds them).
local function makeRoom(maxRetained)
  local total = redis.call('ZCARD', P .. 'jobs') - redis.call('ZCARD', P .. 'state:Scheduled')
  while total >= maxRetained do
    local oldest = redis.call('ZRANGE', P .. 'finished', 0, 0)
    if #oldest == 0 then break end
    remove(oldest[1])
    total = total - 1
  end
end

-- Unix milliseconds as yyyy-MM-ddTHH:mm:ssZ (Redis's Lua has no os.date): the civil date of a day count.
local function utc(ms)
  local seconds = math.floor(ms / 1000)
  local z = math.floor(seconds / 86400) + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local day = doy - math.floor((153 * mp + 2) / 5) + 1
  local month = mp < 10 and mp + 3 or mp - 9
  local year = yoe + era * 400 + (month <= 2 and 1 or 0)
  local rest = seconds % 86400
  return string.format('%04d-%02d-%02dT%02d:%02d:%02dZ', year, month, day, math.floor(rest / 3600), math.floor(rest % 3600 / 60), rest % 60)
end

-- Queued or Running → Scheduled for its next attempt at runAtMs, with its line: off its node, into its name's due set,
-- and every node told to look again for what is due next.
local function reschedule(jobId, runAtMs, line, maxLines, maxBytes)
  local job = P .. 'job:' .. jobId
  local from, seq, node, attempt = unpack(redis.call('HMGET', job, 'state', 'seq', 'node', 'attempt'))
  addLines(jobId, {line}, maxLines, maxBytes)
  redis.call('HSET', job, 'state', 'Scheduled', 'runat', runAtMs, 'attempt', (tonumber(attempt) or 1) + 1, 'node', '')
  redis.call('HDEL', job, 'started', 'runner', 'progress')
  move(jobId, from, 'Scheduled', seq)
  redis.call('SREM', P .. 'node-jobs:' .. node, jobId)
  redis.call('ZADD', P .. 'due:' .. nameOf(jobId), runAtMs, jobId)
  redis.call('PUBLISH', P .. 'scheduled', runAtMs)
  changed(jobId)
end
