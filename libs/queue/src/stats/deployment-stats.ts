import type { Redis } from 'ioredis';
import type { Keys } from '../keys';

/**
 * Per-deployment call statistics shared by every worker through Redis: an EWMA of provider
 * latency and of the error rate. Routing reads them (least-latency, breaker decisions) from a
 * snapshot refreshed in the background, so a decision never waits on Redis.
 */
const RECORD = `
local a = tonumber(ARGV[3])
local lat = tonumber(redis.call('HGET', KEYS[1], 'lat') or ARGV[1])
local err = tonumber(redis.call('HGET', KEYS[1], 'err') or '0')
lat = lat + a * (tonumber(ARGV[1]) - lat)
err = err + a * (tonumber(ARGV[2]) - err)
redis.call('HSET', KEYS[1], 'lat', lat, 'err', err, 'at', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'calls', 1)
return 1
`;

export interface DeploymentCallStats {
  readonly latencyEwmaMs: number;
  readonly errorRate: number;
  readonly calls: number;
}

type StatsRedis = Redis & {
  gwRecordCall(key: string, ...args: (string | number)[]): Promise<number>;
};

export class DeploymentStatsStore {
  private readonly redis: StatsRedis;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly alpha = 0.2,
  ) {
    if (!('gwRecordCall' in redis))
      redis.defineCommand('gwRecordCall', { numberOfKeys: 1, lua: RECORD });
    this.redis = redis as StatsRedis;
  }

  /** The Redis connection, for readers of sibling state. */
  get redisClient(): Redis {
    return this.redis;
  }

  private key(deploymentId: string): string {
    return `${this.keys.prefix}:stats:${deploymentId}`;
  }

  /** Records one provider call: its latency and whether it failed. */
  async record(deploymentId: string, latencyMs: number, failed: boolean): Promise<void> {
    await this.redis.gwRecordCall(
      this.key(deploymentId),
      latencyMs,
      failed ? 1 : 0,
      this.alpha,
      Date.now(),
    );
  }

  /** Stats of the given deployments (absent ones are left out). */
  async snapshot(deploymentIds: readonly string[]): Promise<Map<string, DeploymentCallStats>> {
    const pipe = this.redis.pipeline();
    deploymentIds.forEach((id) => pipe.hmget(this.key(id), 'lat', 'err', 'calls'));
    const rows = (await pipe.exec()) ?? [];
    const out = new Map<string, DeploymentCallStats>();
    rows.forEach(([, v], i) => {
      const [lat, err, calls] = (v as (string | null)[]) ?? [];
      if (lat !== null && lat !== undefined) {
        out.set(deploymentIds[i], {
          latencyEwmaMs: Number(lat),
          errorRate: Number(err ?? 0),
          calls: Number(calls ?? 0),
        });
      }
    });
    return out;
  }
}
