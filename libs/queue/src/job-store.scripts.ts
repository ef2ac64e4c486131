/**
 * Lua scripts of the job store. Each runs atomically in Redis: a status change, the record,
 * the outbox entries and the notification happen together or not at all.
 */

/**
 * KEYS: job, req, outbox, idem (idem may be a dummy when ARGV[1] == '0'), all in the job's
 * shard slot (the tenant's index of jobs is written after, see JobStore.create)
 * ARGV: hasIdem, idemValue, idemTtl, jobId, dataJson, reqJson, ttl, webhook ('1' when the request
 * names a webhook, else '0'), nEntries, (topic, key, value)*
 * Returns {1} when created, {0, existingIdemValue} when the idempotency key was taken.
 */
export const CREATE_JOB = `
if ARGV[1] == '1' then
  local existing = redis.call('GET', KEYS[4])
  if existing then return {0, existing} end
  redis.call('SET', KEYS[4], ARGV[2], 'EX', ARGV[3])
end
redis.call('HSET', KEYS[1], 'status', 'queued', 'data', ARGV[5], 'wh', ARGV[8])
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('SET', KEYS[2], ARGV[6], 'EX', ARGV[7])
local n = tonumber(ARGV[9])
for i = 0, n - 1 do
  local b = 10 + i * 3
  redis.call('XADD', KEYS[3], '*', 't', ARGV[b], 'k', ARGV[b + 1], 'v', ARGV[b + 2])
end
return {1}
`;

/**
 * KEYS: job, outbox
 * ARGV: allowedFromCsv, newStatus, dataJson, ttl ('' keeps it), channel, nEntries, (topic, key, value)*
 * Publishes the new status on the job's channel; a terminal job (one given its retention ttl)
 * publishes its stored record instead, so a waiter needs no read after the wake-up.
 * Returns 'OK' when applied, else the current status ('' when the job is gone).
 */
export const TRANSITION_JOB = `
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return '' end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == cur then allowed = true end
end
if not allowed then return cur end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'data', ARGV[3])
if ARGV[4] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
local n = tonumber(ARGV[6])
for i = 0, n - 1 do
  local b = 7 + i * 3
  redis.call('XADD', KEYS[2], '*', 't', ARGV[b], 'k', ARGV[b + 1], 'v', ARGV[b + 2])
end
if ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[5], ARGV[3])
else
  redis.call('PUBLISH', ARGV[5], ARGV[2])
end
return 'OK'
`;
