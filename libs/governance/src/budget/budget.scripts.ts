/**
 * Reserves a job's worst-case cost in four budget windows (the tenant's day and month, the
 * API key's day and month), only when every one with a limit has room (spent + reserved +
 * amount ≤ limit), and writes the job's ledger entry. Windows without a limit still count,
 * so a limit set later starts from what the window really holds.
 * KEYS: ledger, tenantDay, tenantMonth, keyDay, keyMonth
 * ARGV: amount, four limits ('' = none), threshold, dayTtl, monthTtl, ledgerTtl,
 *       then ledger field/value pairs (the entry also names its four windows: d, m, kd, km).
 * Returns {1, crossed1..crossed4} (1 where a window just passed the soft threshold) or
 * {0, window (1-4, in KEYS order), used}.
 */
export const RESERVE = `
local amt = tonumber(ARGV[1])
local used, fresh = {}, {}
for w = 1, 4 do
  local h = redis.call('HMGET', KEYS[w + 1], 'spent', 'reserved')
  fresh[w] = not h[1] and not h[2]
  used[w] = tonumber(h[1] or '0') + tonumber(h[2] or '0')
  local limit = ARGV[w + 1]
  if limit ~= '' and used[w] + amt > tonumber(limit) then return {0, w, used[w]} end
end
local crossed = {0, 0, 0, 0}
for w = 1, 4 do
  -- A window is created here with its TTL (settling only touches windows that exist, and the
  -- TTL outlasts the day or month the key names); a zero reservation leaves one that exists.
  if fresh[w] or amt ~= 0 then redis.call('HINCRBY', KEYS[w + 1], 'reserved', amt) end
  if fresh[w] then redis.call('EXPIRE', KEYS[w + 1], w % 2 == 1 and ARGV[7] or ARGV[8]) end
  local limit = ARGV[w + 1]
  if limit ~= '' then
    local l = tonumber(limit)
    if l > 0 and (used[w] + amt) >= l * tonumber(ARGV[6]) then
      crossed[w] = redis.call('HSETNX', KEYS[w + 1], 'warned', '1')
    end
  end
end
local fields = {'d', KEYS[2], 'm', KEYS[3], 'kd', KEYS[4], 'km', KEYS[5]}
for i = 10, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[9])
return {1, crossed[1], crossed[2], crossed[3], crossed[4]}
`;

/**
 * Settles a job once: releases its reservation in every window it holds (tenant and key),
 * adds the actual cost to spent, corrects the token windows with actual usage and adds the
 * job to the usage report. The ledger entry is
 * deleted in the same step, so a second settle (another replica, a retry) does nothing.
 * Every key touched carries the tenant's hash tag (the ledger names them).
 * KEYS: ledger
 * ARGV: actualNano, inputTokens, outputTokens, status, usageTtl, countUsage ('1'/'0')
 * Returns 1 when settled now, 0 when it was settled before.
 */
export const SETTLE = `
local raw = redis.call('HGETALL', KEYS[1])
if #raw == 0 then return 0 end
redis.call('DEL', KEYS[1])
local f = {}
for i = 1, #raw, 2 do f[raw[i]] = raw[i + 1] end
local actual = tonumber(ARGV[1])
local res = tonumber(f.res or '0')
for _, w in ipairs({f.d, f.m, f.kd, f.km}) do
  if (res ~= 0 or actual ~= 0) and w and redis.call('EXISTS', w) == 1 then
    -- '0 - res', not '-res': Lua would print a zero reservation as '-0', not an integer.
    if res ~= 0 then redis.call('HINCRBY', w, 'reserved', 0 - res) end
    if actual ~= 0 then redis.call('HINCRBY', w, 'spent', actual) end
  end
end
local tokens = tonumber(ARGV[2]) + tonumber(ARGV[3])
local delta = tokens - tonumber(f.est or '0')
for _, k in ipairs({f.tk1, f.tk2}) do
  if k and delta ~= 0 and redis.call('EXISTS', k) == 1 then redis.call('INCRBY', k, delta) end
end
if ARGV[6] == '1' and f.u then
  local p = (f.dep or '-') .. '|' .. (f.key or '-') .. '|'
  redis.call('HINCRBY', f.u, p .. 'jobs', 1)
  redis.call('HINCRBY', f.u, p .. ARGV[4], 1)
  redis.call('HINCRBY', f.u, p .. 'cost', actual)
  redis.call('HINCRBY', f.u, p .. 'in', tonumber(ARGV[2]))
  redis.call('HINCRBY', f.u, p .. 'out', tonumber(ARGV[3]))
  redis.call('EXPIRE', f.u, ARGV[5])
end
return 1
`;
