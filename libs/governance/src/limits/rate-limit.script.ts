/**
 * Fixed one-minute windows, checked and counted in one step for every limit that applies.
 * KEYS: counters. ARGV: ttlSec, then per counter: limit, cost.
 * A request is admitted only when every counter has room; a refusal counts nothing.
 * A single request larger than a whole window is admitted into an empty window, so an
 * oversized job is not refused forever.
 * Returns {1, used1, used2, ...} (after counting) or {0, indexOfTheFullCounter, used...}.
 */
export const RATE_LIMIT = `
local ttl = tonumber(ARGV[1])
local used = {}
for i = 1, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  local limit = tonumber(ARGV[i * 2])
  local cost = tonumber(ARGV[i * 2 + 1])
  used[i] = cur
  if cost > 0 and cur > 0 and cur + cost > limit then
    local out = {0, i}
    for j = 1, #KEYS do out[j + 2] = tonumber(redis.call('GET', KEYS[j]) or '0') end
    return out
  end
end
local out = {1}
for i = 1, #KEYS do
  local cost = tonumber(ARGV[i * 2 + 1])
  if cost > 0 then
    used[i] = redis.call('INCRBY', KEYS[i], cost)
    redis.call('EXPIRE', KEYS[i], ttl)
  end
  out[i + 1] = used[i]
end
return out
`;
