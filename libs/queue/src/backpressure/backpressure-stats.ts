import type { RedisClient as Redis } from '@gateway/storage';
import type { BackpressureKeys } from './backpressure-keys';

/**
 * One deployment's backpressure numbers, as every replica shares them in Redis
 * (`<prefix>:bp:{dep-<id>}:state` hash + `:leases` sorted set). Observability exports these as
 * gauges and counters; routing reads `limit`, `inFlight` and `breaker`.
 */
export interface BackpressureSnapshot {
  /** Current adaptive (or static) concurrency limit, fractional. */
  readonly limit: number;
  readonly maxConcurrency: number;
  /** Calls holding a lease now, across every replica. */
  readonly inFlight: number;
  readonly breaker: 'closed' | 'open' | 'half-open';
  readonly breakerOpens: number;
  /** Epoch ms until which the deployment is paused (0 when not). */
  readonly pausedUntil: number;
  readonly pauseReason: string | null;
  /** Pauses so far (429 Retry-After, vendor low-water, tpm). */
  readonly pauses: number;
  /** Calls answered 429 so far. */
  readonly throttled: number;
  readonly succeeded: number;
  readonly latencyEwmaMs: number | null;
  readonly latencyBaselineMs: number | null;
}

const FIELDS = [
  'limit',
  'max',
  'breaker',
  'breakerOpens',
  'pausedUntil',
  'pauseReason',
  'pauses',
  'throttled',
  'succeeded',
  'ewma',
  'base',
  'openUntil',
] as const;

/** Reads the shared backpressure state of deployments (one pipeline for all). */
export class BackpressureStatsReader {
  constructor(
    private readonly redis: Redis,
    private readonly keys: BackpressureKeys,
  ) {}

  async snapshot(deploymentIds: readonly string[]): Promise<Map<string, BackpressureSnapshot>> {
    const now = Date.now();
    // A pipeline per deployment: its keys share the queue's tag, one Redis Cluster slot.
    const rows = await Promise.all(
      deploymentIds.map((id) =>
        this.redis
          .pipeline()
          .hmget(this.keys.state(id), ...FIELDS)
          .zcount(this.keys.leases(id), now, '+inf')
          .exec(),
      ),
    );
    const out = new Map<string, BackpressureSnapshot>();
    deploymentIds.forEach((id, i) => {
      const f = (rows[i]?.[0]?.[1] as (string | null)[] | undefined) ?? [];
      if (f[0] === null || f[0] === undefined) return;
      const num = (v: string | null | undefined) => (v == null ? 0 : Number(v));
      const stored = (f[2] ?? 'closed') as BackpressureSnapshot['breaker'];
      // An open breaker past its deadline lets the next call probe: report it as half-open.
      const breaker = stored === 'open' && num(f[11]) <= now ? 'half-open' : stored;
      out.set(id, {
        limit: num(f[0]),
        maxConcurrency: num(f[1]),
        inFlight: Number(rows[i]?.[1]?.[1] ?? 0),
        breaker,
        breakerOpens: num(f[3]),
        pausedUntil: num(f[4]) > now ? num(f[4]) : 0,
        pauseReason: f[5] ?? null,
        pauses: num(f[6]),
        throttled: num(f[7]),
        succeeded: num(f[8]),
        latencyEwmaMs: f[9] == null ? null : Number(f[9]),
        latencyBaselineMs: f[10] == null ? null : Number(f[10]),
      });
    });
    return out;
  }
}
