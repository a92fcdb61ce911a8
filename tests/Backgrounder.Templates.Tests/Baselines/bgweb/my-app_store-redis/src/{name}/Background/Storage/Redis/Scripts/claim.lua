-- ARGV: P, '', nowMs, node, run, most, maxRetained, names... Takes at most `most` jobs due by now whose names this node
-- registered (a node never takes a job it cannot run), each Queued on this node at once: its node, its cancels, the
-- node's jobs. A claim applied late leaves them Queued here, marked with this run: the node finds them (claimed.lua).
-- Returns {the next due time of those names in ms, or '', claimed ids...}.
local claimed, nextDue = {}, nil
local now, node, most = tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[6])
for i = 8, #ARGV do
  local due = P .. 'due:' .. ARGV[i]
  if #claimed < most then
    for _, jobId in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, most - #claimed)) do
      redis.call('ZREM', due, jobId)
      local job = P .. 'job:' .. jobId
      local state, seq = unpack(redis.call('HMGET', job, 'state', 'seq'))
      if state == 'Scheduled' then
        makeRoom(tonumber(ARGV[7]))
        redis.call('HSET', job, 'state', 'Queued', 'node', node, 'claimer', ARGV[5])
        move(jobId, 'Scheduled', 'Queued', seq)
        redis.call('SADD', P .. 'node-jobs:' .. node, jobId)
        changed(jobId)
        claimed[#claimed + 1] = jobId
      end
    end
  end
  local first = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
  if #first > 0 and (nextDue == nil or tonumber(first[2]) < nextDue) then nextDue = tonumber(first[2]) end
end
redis.call('SADD', P .. 'nodes', node)
table.insert(claimed, 1, nextDue and string.format('%.0f', nextDue) or '')
return claimed
