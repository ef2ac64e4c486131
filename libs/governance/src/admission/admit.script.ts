import { RESERVE } from '../budget/budget.scripts';
import { RATE_LIMIT } from '../limits/rate-limit.script';

/**
 * Admission of a routed job in one step: the rate limits (RATE_LIMIT over the first `nRate`
 * keys) and, when they admit it, the budget reservation (RESERVE over the rest). All keys
 * carry the tenant's hash tag. A budget refusal takes back the tokens the first step counted
 * (the counters after the first `nReq`, which count requests: the request stays counted).
 * KEYS: nRate rate counters, then RESERVE's KEYS.
 * ARGV: nRate, nReq, RATE_LIMIT's ARGV (1 + 2 * nRate values), then RESERVE's ARGV.
 * Returns {0, rateReply} when a rate limit refused, else {1, rateReply, reserveReply}.
 */
export const ADMIT = `
local function rate(KEYS, ARGV)
${RATE_LIMIT}
end
local function reserve(KEYS, ARGV)
${RESERVE}
end
local nRate = tonumber(ARGV[1])
local nReq = tonumber(ARGV[2])
local rk, ra, bk, ba = {}, {}, {}, {}
for i = 1, #KEYS do
  if i <= nRate then rk[#rk + 1] = KEYS[i] else bk[#bk + 1] = KEYS[i] end
end
for i = 3, #ARGV do
  if i <= 3 + 2 * nRate then ra[#ra + 1] = ARGV[i] else ba[#ba + 1] = ARGV[i] end
end
local r = rate(rk, ra)
if r[1] ~= 1 then return {0, r} end
local b = reserve(bk, ba)
if b[1] ~= 1 then
  for i = nReq + 1, nRate do
    local cost = tonumber(ra[i * 2 + 1])
    if cost > 0 then redis.call('INCRBY', rk[i], 0 - cost) end
  end
end
return {1, r, b}
`;
