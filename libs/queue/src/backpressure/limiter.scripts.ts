/**
 * Lua of the distributed provider gate. One hash per deployment (`state`) holds the adaptive
 * limit, the learnt ceiling, latency EWMA/baseline, the pause deadline, the breaker and the
 * counters observability exports; a sorted set (`leases`) holds one member per call in flight,
 * scored by its expiry, so a worker that dies stops holding slots within the lease TTL.
 * Both keys share the deployment's hash tag, so each script is one atomic step on a cluster.
 */

/**
 * KEYS: state, leases, rpmWindow
 * ARGV: now, leaseIdBase, leaseTtlMs, maxConcurrency, min, initial, adaptive(1|0),
 *       rpm(0 = none), windowStartMs, openMs, wanted
 * Grants up to `wanted` leases at once (ids `<base>.<i>`), so one round trip serves every
 * waiter of a process.
 * Returns {1, inFlightBefore, probe(1|0), granted} or {0, waitMs, reason}
 * reason: 'full' (wait locally), 'pace' (rpm pacing, wait locally), 'paused', 'breaker'.
 */
export const ACQUIRE = `
local now = tonumber(ARGV[1])
local maxC = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local st = redis.call('HMGET', KEYS[1], 'limit', 'pausedUntil', 'breaker', 'openUntil', 'probes')
local paused = tonumber(st[2] or '0')
if paused > now then return {0, paused - now, 'paused'} end
local breaker = st[3] or 'closed'
local probe = 0
if breaker == 'open' then
  local openUntil = tonumber(st[4] or '0')
  if openUntil > now then return {0, openUntil - now, 'breaker'} end
  breaker = 'half-open'
  redis.call('HSET', KEYS[1], 'breaker', breaker, 'probes', 0)
  st[5] = '0'
end
if breaker == 'half-open' then
  if tonumber(st[5] or '0') >= 1 then return {0, 100, 'full'} end
  probe = 1
end
local limit = tonumber(st[1] or '-1')
if ARGV[7] == '0' then
  limit = maxC
elseif limit < 0 then
  limit = math.min(maxC, tonumber(ARGV[6]))
elseif limit > maxC then
  limit = maxC
end
redis.call('HSET', KEYS[1], 'limit', limit, 'max', maxC)
local n = redis.call('ZCARD', KEYS[2])
local granted = math.min(tonumber(ARGV[11]), math.floor(limit) - n)
if probe == 1 then granted = math.min(granted, 1) end
if granted <= 0 then return {0, 0, 'full'} end
local rpm = tonumber(ARGV[8])
if rpm > 0 then
  -- Even pacing inside the minute: at most rpm x (elapsed share + 10%) calls so far.
  local used = tonumber(redis.call('GET', KEYS[3]) or '0')
  local frac = (now - tonumber(ARGV[9])) / 60000
  local allowed = math.floor(rpm * math.min(1, frac + 0.1))
  if used >= allowed then
    local waitMs = math.ceil(((used + 1) / rpm - 0.1) * 60000 - (now - tonumber(ARGV[9])))
    return {0, math.max(10, math.min(waitMs, 60000)), 'pace'}
  end
  granted = math.min(granted, allowed - used)
  redis.call('INCRBY', KEYS[3], granted)
  redis.call('PEXPIRE', KEYS[3], 120000)
end
if probe == 1 then redis.call('HINCRBY', KEYS[1], 'probes', 1) end
local expiry = now + tonumber(ARGV[3])
for i = 1, granted do redis.call('ZADD', KEYS[2], expiry, ARGV[2] .. '.' .. i) end
redis.call('HINCRBY', KEYS[1], 'acquired', granted)
return {1, n, probe, granted}
`;

/**
 * KEYS: state, leases
 * ARGV: now, leaseId, outcome ('ok'|'capacity'|'overload'|'failure'|'neutral'), latencyMs,
 *       inFlightAtAcquire, maxConcurrency, min, adaptive(1|0), latencyTolerance, probeEvery,
 *       ceilingTtlMs, backoff, probe(1|0), failureThreshold, openMs
 * Returns the limit after the update (as a string: Lua numbers lose their fraction).
 *
 * The limit grows by one per success while no congestion was ever seen (slow start), then
 * by 1/limit per success (one slot per window of calls), and only by 1/(limit × probeEvery)
 * once it reaches the ceiling learnt from the last 429, so probing above a known capacity
 * costs about one 429 per probeEvery windows. A 429 sets the limit to the calls that were in
 * flight without it (the provider's capacity is at most that); 503/529/timeouts and latency
 * above baseline × tolerance (and at least 20 ms above it) cut it by `backoff`, at most once per
 * latency period.
 */
export const RELEASE = `
local now = tonumber(ARGV[1])
local outcome = ARGV[3]
redis.call('ZREM', KEYS[2], ARGV[2])
local f = redis.call('HMGET', KEYS[1], 'limit', 'ceil', 'ceilAt', 'lastDrop', 'ewma', 'base',
  'ss', 'breaker', 'fails')
local maxC = tonumber(ARGV[6])
local minC = math.min(tonumber(ARGV[7]), maxC)
local limit = tonumber(f[1] or ARGV[6])
local lat = tonumber(ARGV[4])
local probe = ARGV[13] == '1'
-- Breaker: consecutive failures open it; a probe's success closes it, its failure re-opens.
local breaker = f[8] or 'closed'
if outcome == 'ok' then
  if breaker ~= 'closed' and probe then redis.call('HSET', KEYS[1], 'breaker', 'closed') end
  redis.call('HSET', KEYS[1], 'fails', 0)
elseif outcome == 'failure' or outcome == 'overload' then
  local fails = tonumber(f[9] or '0') + 1
  redis.call('HSET', KEYS[1], 'fails', fails)
  if (breaker == 'half-open' and probe) or (breaker == 'closed' and fails >= tonumber(ARGV[14])) then
    redis.call('HSET', KEYS[1], 'breaker', 'open', 'openUntil', now + tonumber(ARGV[15]))
    redis.call('HINCRBY', KEYS[1], 'breakerOpens', 1)
  end
end
if probe then redis.call('HINCRBY', KEYS[1], 'probes', -1) end
if outcome == 'capacity' then redis.call('HINCRBY', KEYS[1], 'throttled', 1) end
if outcome == 'ok' then redis.call('HINCRBY', KEYS[1], 'succeeded', 1) end
if ARGV[8] == '0' or outcome == 'neutral' or outcome == 'failure' then return tostring(limit) end
local ceil = tonumber(f[2] or '0')
if ceil > 0 and now - tonumber(f[3] or '0') > tonumber(ARGV[11]) then ceil = 0 end
local lastDrop = tonumber(f[4] or '0')
local ewma = tonumber(f[5] or ARGV[4])
local base = tonumber(f[6] or ARGV[4])
local cooldown = math.max(ewma, 50)
if outcome == 'ok' then
  ewma = ewma + 0.1 * (lat - ewma)
  if ewma < base then base = ewma else base = base + 0.002 * (ewma - base) end
  -- A rise of under 20 ms is noise (GC, scheduling), not congestion: with a fast provider a
  -- 2.5x rise over a 1 ms baseline would otherwise keep cutting the limit to nothing.
  if ewma > base * tonumber(ARGV[9]) and ewma - base > 20 and now - lastDrop > cooldown then
    limit = limit * tonumber(ARGV[12])
    lastDrop = now
    f[7] = '0'
  elseif f[7] ~= '0' and ceil == 0 then
    limit = limit + 1
  elseif ceil > 0 and limit + 1 > ceil then
    limit = limit + 1 / (limit * tonumber(ARGV[10]))
  else
    limit = limit + 1 / limit
  end
elseif outcome == 'capacity' then
  local cap = tonumber(ARGV[5]) - 1
  if cap < limit then limit = cap end
  ceil = math.max(minC, math.floor(limit))
  redis.call('HSET', KEYS[1], 'ceilAt', now)
  f[7] = '0'
elseif outcome == 'overload' and now - lastDrop > cooldown then
  limit = limit * tonumber(ARGV[12])
  lastDrop = now
  f[7] = '0'
end
limit = math.max(minC, math.min(maxC, limit))
redis.call('HSET', KEYS[1], 'limit', tostring(limit), 'ceil', ceil, 'lastDrop', lastDrop,
  'ewma', tostring(ewma), 'base', tostring(base), 'ss', f[7] or '1')
return tostring(limit)
`;

/** KEYS: state. ARGV: now, ms, reason. Extends the pause deadline (never shortens it). */
export const PAUSE = `
local now = tonumber(ARGV[1])
local untilMs = now + tonumber(ARGV[2])
local cur = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if untilMs > cur then
  redis.call('HSET', KEYS[1], 'pausedUntil', untilMs, 'pauseReason', ARGV[3])
  redis.call('HINCRBY', KEYS[1], 'pauses', 1)
end
return 1
`;

/** KEYS: leases. ARGV: expiry, ids... Extends the leases this process still holds. */
export const RENEW = `
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i]) end
return 1
`;

/**
 * KEYS: state, leases, rpmWindow
 * ARGV: RELEASE's 15 arguments, then ACQUIRE's 11.
 * Gives a slot back and takes slots for the process's waiters in the same step, so a freed
 * slot goes to the next call without a second round trip (the gap between two calls is what
 * costs goodput at a saturated provider). Returns RELEASE's limit followed by ACQUIRE's reply.
 */
export const RELEASE_ACQUIRE = `
local function release(KEYS, ARGV)
${RELEASE}
end
local function acquire(KEYS, ARGV)
${ACQUIRE}
end
local ra, aa = {}, {}
for i = 1, 15 do ra[i] = ARGV[i] end
for i = 16, #ARGV do aa[#aa + 1] = ARGV[i] end
local limit = release({KEYS[1], KEYS[2]}, ra)
local r = acquire(KEYS, aa)
table.insert(r, 1, limit)
return r
`;
