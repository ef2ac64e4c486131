/**
 * Fixed one-minute windows, checked and counted in one step for every limit that applies.
 * KEYS: counters (one hash tag). ARGV: ttlSec, then per counter: limit, cost.
 * A request is admitted only when every counter has room; a refusal counts nothing.
 * A single request larger than a whole window is admitted into an empty window, so an
 * oversized job is not refused forever.
 * Returns {1, used1, used2, ...} (after counting) or {0, indexOfTheFullCounter, used...}.
 */
export const RATE_LIMIT = `
local ttl = tonumber(ARGV[1])
local cur = #KEYS > 0 and redis.call('MGET', unpack(KEYS)) or {}
local used = {}
for i = 1, #KEYS do
  used[i] = tonumber(cur[i] or '0')
  local limit = tonumber(ARGV[i * 2])
  local cost = tonumber(ARGV[i * 2 + 1])
  if cost > 0 and used[i] > 0 and used[i] + cost > limit then
    local out = {0, i}
    for j = 1, #KEYS do out[j + 2] = tonumber(cur[j] or '0') end
    return out
  end
end
local out = {1}
for i = 1, #KEYS do
  local cost = tonumber(ARGV[i * 2 + 1])
  if cost > 0 then
    used[i] = redis.call('INCRBY', KEYS[i], cost)
    -- A counter gets its TTL when this creates it (nothing else does); the window's key
    -- names its minute, so the TTL needs no renewal.
    if used[i] == cost then redis.call('EXPIRE', KEYS[i], ttl) end
  end
  out[i + 1] = used[i]
end
return out
`;
