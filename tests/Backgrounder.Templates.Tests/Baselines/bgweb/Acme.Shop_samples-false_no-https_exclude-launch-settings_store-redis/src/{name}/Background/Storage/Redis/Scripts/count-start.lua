-- KEYS[1]: a client's start counter; ARGV: the window in ms. One start of that client in the window that began with
-- its first start, for every node at once; returns {starts so far, ms until the window ends}. A call applied late
-- counts a start that was answered 503: that errs on the strict side, never lets a client past its limit.
local starts = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {starts, left}
