import type { JobRecord } from '@gateway/contracts';
import type { Logger } from '@gateway/observability';
import type { RedisClient as Redis } from '@gateway/storage';
import type { JobStore } from '../job-store';
import { SHARDS, shardOf, type Keys } from '../keys';

type ScriptRedis = Redis & {
  gwDeliveriesOpen(...a: (string | number)[]): Promise<number>;
  gwResultRelayed(...a: (string | number)[]): Promise<number>;
  gwDeliveryEnded(...a: (string | number)[]): Promise<number>;
};

/**
 * Registers a job's webhook deliveries as open, except those that ended already (a batch
 * scheduled again after a Kafka failure must not reopen them).
 * KEYS: open, ended   ARGV: ttl, deliveryIds...
 */
const OPEN = `
for i = 2, #ARGV do
  if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 0 then redis.call('SADD', KEYS[1], ARGV[i]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`;

/**
 * The result event is on Kafka: flags it (with the grace) and, when no delivery is open,
 * makes the job's payloads due.
 * KEYS: open, relayed, due   ARGV: jobId, graceSec, nowMs, ttl
 */
const RELAYED = `
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
if redis.call('SCARD', KEYS[1]) == 0 then
  redis.call('ZADD', KEYS[3], tonumber(ARGV[3]) + 1000 * tonumber(ARGV[2]), ARGV[1])
  return 1
end
return 0
`;

/**
 * A delivery ended (delivered, dead or dropped): when it was the last open one and the
 * result is on Kafka, the job's payloads become due.
 * KEYS: open, ended, relayed, due   ARGV: jobId, deliveryId, nowMs, ttl
 */
const ENDED = `
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if redis.call('SREM', KEYS[1], ARGV[2]) == 0 then return 0 end
if redis.call('SCARD', KEYS[1]) > 0 then return 0 end
local grace = redis.call('GET', KEYS[3])
if not grace then return 0 end
redis.call('ZADD', KEYS[4], tonumber(ARGV[3]) + 1000 * tonumber(grace), ARGV[1])
return 1
`;

/** The fields of a result event's record this needs. */
type ResultHead = Pick<JobRecord, 'id' | 'policy'>;

function dropHead(value: string): ResultHead | null {
  try {
    const d = (JSON.parse(value) as { data?: Partial<ResultHead> }).data;
    if (typeof d?.id !== 'string' || typeof d.policy?.dropAfterDeliverySec !== 'number')
      return null;
    return { id: d.id, policy: d.policy };
  } catch {
    return null;
  }
}

/**
 * Drops the inputs and outputs of jobs whose tenant asks for it once they are delivered:
 * the result event acknowledged by Kafka (the relay reports it) and every webhook delivery
 * scheduled for it delivered or dead (the delivery worker reports each). Then, after the
 * tenant's grace (so a client long-polling or streaming the job still reads it), a sweep
 * drops the payloads and marks the record. Runs in the dispatcher; idempotent throughout.
 */
export class DeliveredPayloads {
  private readonly redis: ScriptRedis;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly store: JobStore,
    private readonly log: Logger,
    /** How long tracking keys live: past any webhook schedule. */
    private readonly ttlSec: () => number,
  ) {
    if (!('gwDeliveriesOpen' in redis)) {
      redis.defineCommand('gwDeliveriesOpen', { numberOfKeys: 2, lua: OPEN });
      redis.defineCommand('gwResultRelayed', { numberOfKeys: 3, lua: RELAYED });
      redis.defineCommand('gwDeliveryEnded', { numberOfKeys: 4, lua: ENDED });
    }
    this.redis = redis as ScriptRedis;
  }

  /** The webhook deliveries just scheduled for a batch of result events. */
  async scheduled(
    resultValues: readonly string[],
    deliveries: readonly { jobId: string; deliveryId: string }[],
  ): Promise<void> {
    const tracked = new Set(resultValues.map(dropHead).flatMap((h) => (h ? [h.id] : [])));
    const byJob = new Map<string, string[]>();
    for (const d of deliveries) {
      if (!tracked.has(d.jobId)) continue;
      byJob.set(d.jobId, [...(byJob.get(d.jobId) ?? []), d.deliveryId]);
    }
    for (const [jobId, ids] of byJob) {
      const k = this.keys;
      await this.redis.gwDeliveriesOpen(
        k.deliveriesOpen(jobId),
        k.deliveriesEnded(jobId),
        this.ttlSec(),
        ...ids,
      );
    }
  }

  /** A batch of result events is acknowledged by Kafka. */
  async relayed(resultValues: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const h of resultValues.map(dropHead)) {
      if (!h) continue;
      const k = this.keys;
      await this.redis.gwResultRelayed(
        k.deliveriesOpen(h.id),
        k.resultRelayed(h.id),
        k.payloadDropDue(shardOf(h.id)),
        h.id,
        h.policy.dropAfterDeliverySec ?? 0,
        now,
        this.ttlSec(),
      );
    }
  }

  /** One webhook delivery of a job will not be tried again (delivered, dead or dropped). */
  async deliveryEnded(jobId: string, deliveryId: string): Promise<void> {
    const k = this.keys;
    await this.redis.gwDeliveryEnded(
      k.deliveriesOpen(jobId),
      k.deliveriesEnded(jobId),
      k.resultRelayed(jobId),
      k.payloadDropDue(shardOf(jobId)),
      jobId,
      deliveryId,
      Date.now(),
      this.ttlSec(),
    );
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.sweep();
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'dropping delivered payloads failed; retrying');
    } finally {
      this.running = false;
    }
  }

  /** Drops the payloads that are due (bounded per shard and pass); how many. */
  async sweep(now = Date.now()): Promise<number> {
    let dropped = 0;
    for (let shard = 0; shard < SHARDS; shard++) {
      const due = this.keys.payloadDropDue(shard);
      const ids = await this.redis.zrangebyscore(due, '-inf', now, 'LIMIT', 0, 200);
      for (const id of ids) {
        await this.store.dropPayloads(id, new Date(now).toISOString());
        await this.redis
          .multi()
          .zrem(due, id)
          .del(
            this.keys.deliveriesOpen(id),
            this.keys.deliveriesEnded(id),
            this.keys.resultRelayed(id),
          )
          .exec();
        dropped++;
      }
    }
    return dropped;
  }
}
