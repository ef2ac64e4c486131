import type { LoadedConfig, TenantConfig } from '@gateway/config';
import type { Priority } from '@gateway/contracts';
import type { RedisClient as Redis } from '@gateway/storage';
import type { Keys } from '../keys';
import { BackpressureKeys, maxQueuedOf } from './backpressure-keys';

/**
 * Admission control and weighted fair queueing on one deployment queue, in one script.
 *
 * Fairness: each tenant has a virtual finish tag; a new job's tag is
 * max(tenant's tag, V) + 10/weight, where V is the largest tag of a job that has started.
 * The job's BullMQ priority is its band (high, normal, low: strict order) plus its tag
 * relative to an epoch reset whenever the queue is empty, so BullMQ serves jobs in tag
 * order: a tenant's k-th waiting job starts after at most about k × (Σ active weights /
 * its weight) jobs of its band, however many jobs another tenant has queued (start-time
 * fair queueing's bound). Tags past a band's range (69,000 jobs of lag at weight 1 while the
 * queue never empties) are clamped to the band's end, i.e. FIFO for that tail.
 *
 * Admission: the deployment's waiting jobs (BullMQ's prioritized + wait) against its bound
 * (503 queue_full), a tenant's lag in jobs (its tag − V, divided by its cost) against its own
 * maxQueued, and, once the queue is half full, against its weighted share of the bound (429).
 * Retry-After is the excess divided by the drain rate measured over the last 10 s.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
local tenant = ARGV[2]
local weight = tonumber(ARGV[3])
local band = tonumber(ARGV[4])
local tenantMax = tonumber(ARGV[5])
local depMax = tonumber(ARGV[6])
-- The fair state in one read: V, B, each tenant's tag (t:) and weight (w:).
local flat = redis.call('HGETALL', KEYS[1])
local h = {}
for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
local V = tonumber(h['V'] or '0')
local waiting = redis.call('ZCARD', KEYS[2]) + redis.call('LLEN', KEYS[3])
if waiting == 0 then
  -- Nothing waits: every tagged job has started or left the queue (cancelled, moved on), so
  -- no tenant is behind. V catches up with the largest tag; a job that never started would
  -- otherwise count as its tenant's lag for good.
  for f, v in pairs(h) do
    if string.sub(f, 1, 2) == 't:' and tonumber(v) > V then V = tonumber(v) end
  end
  redis.call('HSET', KEYS[1], 'V', tostring(V))
end
local cost = 10 / weight
local tagT = tonumber(h['t:' .. tenant] or '0')
local lagT = math.max(0, tagT - V) / cost
local sumW = 0
for f, v in pairs(h) do
  if string.sub(f, 1, 2) == 't:' and tonumber(v) > V and f ~= 't:' .. tenant then
    sumW = sumW + tonumber(h['w:' .. string.sub(f, 3)] or '1')
  end
end
sumW = sumW + weight
local function retry(excess)
  -- Only a refusal needs the drain rate: jobs started over the last 10 s.
  local sec = math.floor(now / 1000)
  local secs = {}
  for i = 1, 10 do secs[i] = tostring(sec - i) end
  local started = 0
  for _, n in ipairs(redis.call('HMGET', KEYS[4], unpack(secs))) do
    started = started + tonumber(n or '0')
  end
  local rate = started / 10
  if rate <= 0 then return 5 end
  return math.max(1, math.min(60, math.ceil(excess / rate)))
end
if tenantMax > 0 and lagT + 1 > tenantMax then
  return {0, 'tenant', retry((lagT + 1 - tenantMax) * sumW / weight)}
end
if waiting + 1 > depMax then return {0, 'deployment', retry(waiting + 1 - depMax * 0.9)} end
local share = depMax * weight / sumW
if waiting + 1 > depMax / 2 and lagT + 1 > share then
  return {0, 'tenant', retry((lagT + 1 - share) * sumW / weight)}
end
local B = tonumber(h['B'] or '0')
if waiting == 0 then
  B = V
  redis.call('HSET', KEYS[1], 'B', tostring(B))
end
local tag = math.max(tagT, V) + cost
redis.call('HSET', KEYS[1], 't:' .. tenant, tostring(tag), 'w:' .. tenant, tostring(weight))
return {1, band * ${690_000} + 1 + math.min(${690_000 - 2}, math.floor(tag - B)), tostring(lagT)}
`;

/** KEYS: fair, drain. ARGV: rank, second. A job started: advance V, count the drain. */
const STARTED = `
local r = tonumber(ARGV[1])
local B = tonumber(redis.call('HGET', KEYS[1], 'B') or '0')
local tag = B + ((r - 1) % ${690_000})
local V = tonumber(redis.call('HGET', KEYS[1], 'V') or '0')
if tag > V then redis.call('HSET', KEYS[1], 'V', tostring(tag)) end
local sec = tonumber(ARGV[2])
redis.call('HINCRBY', KEYS[2], tostring(sec), 1)
redis.call('HDEL', KEYS[2], tostring(sec - 30))
return 1
`;

const BANDS: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export type AdmissionResult =
  | { ok: true; rank: number }
  | {
      ok: false;
      code: 'rate_limited' | 'queue_full';
      message: string;
      retryAfterSec: number;
    };

type FairRedis = Redis & {
  gwBpAdmit(...a: (string | number)[]): Promise<[number, string | number, string?]>;
  gwBpStarted(...a: (string | number)[]): Promise<number>;
};

/** Admission check at ingest and the fair rank a job is enqueued with. */
export class FairAdmission {
  private readonly redis: FairRedis;

  constructor(
    redis: Redis,
    private readonly keys: BackpressureKeys,
  ) {
    if (!('gwBpAdmit' in redis)) {
      redis.defineCommand('gwBpAdmit', { numberOfKeys: 4, lua: ADMIT });
      redis.defineCommand('gwBpStarted', { numberOfKeys: 2, lua: STARTED });
    }
    this.redis = redis as FairRedis;
  }

  /** The admission of a gateway's key layout. */
  static for(redis: Redis, keys: Keys): FairAdmission {
    return new FairAdmission(redis, new BackpressureKeys(keys.prefix, keys.bullPrefix()));
  }

  /** Admits one job of `tenant` to `deploymentId`, or says why not and when to come back. */
  async admit(
    cfg: LoadedConfig,
    deploymentId: string,
    tenant: Pick<TenantConfig, 'id' | 'weight' | 'limits'>,
    priority: Priority,
  ): Promise<AdmissionResult> {
    const d = cfg.deploymentById.get(deploymentId);
    if (!d) return { ok: true, rank: 0 };
    const depMax = maxQueuedOf(cfg, d);
    const tenantMax = tenant.limits?.maxQueued ?? cfg.backpressure.maxQueuedPerTenant ?? 0;
    const [ok, a, b] = await this.redis.gwBpAdmit(
      this.keys.fair(deploymentId),
      this.keys.bullPrioritized(deploymentId),
      this.keys.bullWait(deploymentId),
      this.keys.drain(deploymentId),
      Date.now(),
      tenant.id,
      tenant.weight ?? 1,
      BANDS[priority],
      tenantMax,
      depMax,
    );
    if (ok === 1) return { ok: true, rank: Number(a) };
    if (a === 'deployment') {
      return {
        ok: false,
        code: 'queue_full',
        message: `Deployment "${deploymentId}" has ${depMax} jobs waiting, its bound; retry after the Retry-After delay or raise limits.maxQueued`,
        retryAfterSec: Number(b),
      };
    }
    return {
      ok: false,
      code: 'rate_limited',
      message: `Tenant "${tenant.id}" has more than its share of jobs waiting on "${deploymentId}"; retry after the Retry-After delay`,
      retryAfterSec: Number(b),
    };
  }

  /** A job left the queue for a provider call: V advances and the drain rate counts it. */
  async started(deploymentId: string, rank: number): Promise<void> {
    await this.redis.gwBpStarted(
      this.keys.fair(deploymentId),
      this.keys.drain(deploymentId),
      rank,
      Math.floor(Date.now() / 1000),
    );
  }
}
