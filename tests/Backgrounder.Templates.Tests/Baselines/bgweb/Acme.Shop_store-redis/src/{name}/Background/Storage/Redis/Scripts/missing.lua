local P = ARGV[1]
-- ARGV: P, '', ids...: those of the ids whose record Redis no longer has.
local missing = {}
for i = 3, #ARGV do
  if redis.call('EXISTS', P .. 'job:' .. ARGV[i]) == 0 then missing[#missing + 1] = ARGV[i] end
end
return missing
