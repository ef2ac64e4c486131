import type { RedisClient as Redis } from '@gateway/storage';
import type { BackpressureKeys, GateSettings } from './backpressure-keys';
import { ACQUIRE, PAUSE, RELEASE, RELEASE_ACQUIRE, RENEW } from './limiter.scripts';

/** A slot for one provider call; give it back with `settle` whatever happens. */
export interface Lease {
  readonly id: string;
  readonly deploymentId: string;
  readonly inFlight: number;
  readonly probe: boolean;
  readonly settings: GateSettings;
  readonly startedAt: number;
}

/** What acquiring gave: a slot, or a deployment-wide pause the queue should honour. */
export type GateResult =
  | { kind: 'lease'; lease: Lease }
  | { kind: 'paused'; ms: number; reason: 'paused' | 'breaker' }
  | { kind: 'aborted' };

/** What one acquire script call gave a process: leases for its waiters, or why to wait. */
export type Acquired =
  | { kind: 'leases'; leases: Lease[] }
  | Extract<GateResult, { kind: 'paused' }>
  | { kind: 'wait'; waitMs: number };

export const LEASE_TTL_MS = 15_000;

type AcquireReply = [number, number, number | string, number | undefined];

export type GateRedis = Redis & {
  gwBpAcquire(...a: (string | number)[]): Promise<AcquireReply>;
  gwBpRelease(...a: (string | number)[]): Promise<string>;
  gwBpHandOff(...a: (string | number)[]): Promise<[string, ...AcquireReply]>;
  gwBpPause(...a: (string | number)[]): Promise<number>;
  gwBpRenew(...a: (string | number)[]): Promise<number>;
};

/** Registers the gate's scripts on a client (once per client). */
export function gateCommands(redis: Redis): GateRedis {
  if (!('gwBpAcquire' in redis)) {
    redis.defineCommand('gwBpAcquire', { numberOfKeys: 3, lua: ACQUIRE });
    redis.defineCommand('gwBpRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('gwBpHandOff', { numberOfKeys: 3, lua: RELEASE_ACQUIRE });
    redis.defineCommand('gwBpPause', { numberOfKeys: 1, lua: PAUSE });
    redis.defineCommand('gwBpRenew', { numberOfKeys: 1, lua: RENEW });
  }
  return redis as GateRedis;
}

/** ACQUIRE's keys and arguments: up to `wanted` leases with ids `<base>.<i>`. */
export function acquireCall(
  keys: BackpressureKeys,
  deploymentId: string,
  s: GateSettings,
  wanted: number,
  now: number,
  base: string,
): { keys: string[]; args: (string | number)[] } {
  const window = now - (now % 60_000);
  return {
    keys: [keys.state(deploymentId), keys.leases(deploymentId), keys.rpm(deploymentId, window)],
    args: [
      now,
      base,
      LEASE_TTL_MS,
      s.maxConcurrency,
      s.adaptive.min,
      s.adaptive.initial,
      s.adaptive.enabled ? 1 : 0,
      s.rpm,
      window,
      s.breaker.openMs,
      wanted,
    ],
  };
}

/** RELEASE's arguments (after its keys, state and leases) for a call's outcome. */
export function releaseArgs(
  lease: Lease,
  outcome: string,
  latencyMs: number,
  now: number,
): (string | number)[] {
  const s = lease.settings;
  return [
    now,
    lease.id,
    outcome,
    latencyMs,
    lease.inFlight,
    s.maxConcurrency,
    s.adaptive.min,
    s.adaptive.enabled ? 1 : 0,
    s.adaptive.latencyTolerance,
    s.adaptive.probeEvery,
    s.adaptive.ceilingTtlMs,
    s.adaptive.backoff,
    lease.probe ? 1 : 0,
    s.breaker.failureThreshold,
    s.breaker.openMs,
  ];
}

/** Turns ACQUIRE's reply into leases (ids `<base>.<i>`) or a reason to wait. */
export function acquired(
  deploymentId: string,
  s: GateSettings,
  now: number,
  base: string,
  [ok, a, b, granted]: AcquireReply,
): Acquired {
  if (ok === 1) {
    const leases: Lease[] = [];
    for (let i = 1; i <= (granted ?? 1); i++) {
      // inFlight: the calls in flight with this one, as the 429 rule needs.
      leases.push({
        id: `${base}.${i}`,
        deploymentId,
        inFlight: a + i,
        probe: b === 1,
        settings: s,
        startedAt: now,
      });
    }
    return { kind: 'leases', leases };
  }
  if (b === 'paused' || b === 'breaker') return { kind: 'paused', ms: a, reason: b };
  return { kind: 'wait', waitMs: b === 'pace' ? a : 0 };
}
