import type { RedisClient as Redis } from '@gateway/storage';
import type { DeliveryJobData } from './delivery-queue';
import type { WebhookKeys } from './webhook-keys';

/** One delivery attempt as the job API shows it. */
export interface DeliveryAttempt {
  readonly deliveryId: string;
  readonly url: string;
  readonly endpointId: string | null;
  readonly event: string;
  /** 1-based within its run; a replay starts a new run. */
  readonly attempt: number;
  readonly run: number;
  readonly at: string;
  readonly status: number | null;
  readonly latencyMs: number;
  readonly outcome: 'delivered' | 'retrying' | 'dead';
  /** A DeliveryErrorCode, or `record_expired`. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** A delivery that used up its schedule, kept for an operator to replay. */
export interface DeadDelivery {
  readonly data: DeliveryJobData;
  readonly diedAt: string;
  readonly attempts: number;
  readonly lastError: DeliveryAttempt['error'];
  readonly lastStatus: number | null;
}

/** Attempts stay readable as long as job records do (longest default retention). */
const ATTEMPTS_TTL_SEC = 7 * 86400;
/** A job with a misbehaving receiver cannot grow its attempt list without bound. */
const MAX_ATTEMPTS_KEPT = 200;

/** Per-job attempt lists and the dead-delivery store. */
export class DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: WebhookKeys,
  ) {}

  async recordAttempt(jobId: string, a: DeliveryAttempt): Promise<void> {
    const key = this.keys.attempts(jobId);
    await this.redis
      .multi()
      .rpush(key, JSON.stringify(a))
      .ltrim(key, -MAX_ATTEMPTS_KEPT, -1)
      .expire(key, ATTEMPTS_TTL_SEC)
      .exec();
  }

  async attempts(jobId: string): Promise<DeliveryAttempt[]> {
    const raws = await this.redis.lrange(this.keys.attempts(jobId), 0, -1);
    return raws.map((r) => JSON.parse(r) as DeliveryAttempt);
  }

  async markDead(d: DeadDelivery): Promise<void> {
    // The store, then its index (two Redis Cluster slots); listing skips ids without an entry.
    await this.redis.hset(this.keys.dead(), d.data.deliveryId, JSON.stringify(d));
    await this.redis.zadd(this.keys.deadIndex(), Date.parse(d.diedAt), d.data.deliveryId);
  }

  async listDead(limit: number): Promise<DeadDelivery[]> {
    const ids = await this.redis.zrevrange(this.keys.deadIndex(), 0, limit - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.dead(), ...ids);
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as DeadDelivery);
  }

  async countDead(): Promise<number> {
    return this.redis.zcard(this.keys.deadIndex());
  }

  /** Removes a dead delivery and returns it; null when another replay took it first. */
  async takeDead(deliveryId: string): Promise<DeadDelivery | null> {
    // Read and delete in one transaction on the store's key: exactly one replay wins. The
    // index lies in another slot and follows.
    const res = await this.redis
      .multi()
      .hget(this.keys.dead(), deliveryId)
      .hdel(this.keys.dead(), deliveryId)
      .exec();
    await this.redis.zrem(this.keys.deadIndex(), deliveryId);
    const raw = res?.[0]?.[1] as string | null;
    const removed = Number(res?.[1]?.[1] ?? 0);
    return raw && removed === 1 ? (JSON.parse(raw) as DeadDelivery) : null;
  }
}
