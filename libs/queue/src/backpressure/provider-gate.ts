import { randomBytes } from 'node:crypto';
import { metrics } from '@gateway/observability';
import type { RedisClient as Redis } from '@gateway/storage';
import type { BackpressureKeys, GateSettings } from './backpressure-keys';
import { classify, pauseFor, type CallReport } from './call-outcome';
import { ACQUIRE, PAUSE, RELEASE, RELEASE_ACQUIRE, RENEW } from './limiter.scripts';

export type { CallReport } from './call-outcome';

type GateRedis = Redis & {
  gwBpAcquire(
    ...a: (string | number)[]
  ): Promise<[number, number, number | string, number | undefined]>;
  gwBpRelease(...a: (string | number)[]): Promise<string>;
  gwBpHandOff(
    ...a: (string | number)[]
  ): Promise<[string, number, number, number | string, number | undefined]>;
  gwBpPause(...a: (string | number)[]): Promise<number>;
  gwBpRenew(...a: (string | number)[]): Promise<number>;
};

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

const LEASE_TTL_MS = 15_000;
const POLL_MS = 15;

type Acquired =
  | { kind: 'leases'; leases: Lease[] }
  | Extract<GateResult, { kind: 'paused' }>
  | { kind: 'wait'; waitMs: number };

interface Waiter {
  settings: GateSettings;
  signal: AbortSignal;
  resolve(r: GateResult): void;
}

/**
 * The distributed concurrency gate in front of each deployment's provider calls. Every
 * worker replica acquires a Redis lease per call, so together they never exceed the
 * deployment's adaptive limit. Within a process, one pump per deployment polls Redis on
 * behalf of its waiters (FIFO), so Redis sees one poll per deployment per process.
 */
export class ProviderGate {
  private readonly redis: GateRedis;
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly wake = new Map<string, () => void>();
  private readonly held = new Map<string, Set<string>>();
  private readonly renewTimer: NodeJS.Timeout;

  constructor(
    redis: Redis,
    private readonly keys: BackpressureKeys,
  ) {
    if (!('gwBpAcquire' in redis)) {
      redis.defineCommand('gwBpAcquire', { numberOfKeys: 3, lua: ACQUIRE });
      redis.defineCommand('gwBpRelease', { numberOfKeys: 2, lua: RELEASE });
      redis.defineCommand('gwBpHandOff', { numberOfKeys: 3, lua: RELEASE_ACQUIRE });
      redis.defineCommand('gwBpPause', { numberOfKeys: 1, lua: PAUSE });
      redis.defineCommand('gwBpRenew', { numberOfKeys: 1, lua: RENEW });
    }
    this.redis = redis as GateRedis;
    // Leases outlive a dead worker by at most their TTL: live ones are renewed.
    this.renewTimer = setInterval(() => void this.renew().catch(() => 0), LEASE_TTL_MS / 3);
    this.renewTimer.unref();
  }

  /** Waits for a slot; returns at once when the deployment is paused or its breaker open. */
  acquire(deploymentId: string, settings: GateSettings, signal: AbortSignal): Promise<GateResult> {
    return new Promise((resolve) => {
      const list = this.waiters.get(deploymentId) ?? [];
      list.push({ settings, signal, resolve });
      if (!this.waiters.has(deploymentId)) {
        this.waiters.set(deploymentId, list);
        void this.pump(deploymentId);
      }
    });
  }

  private async pump(deploymentId: string): Promise<void> {
    const list = this.waiters.get(deploymentId)!;
    while (list.length > 0) {
      const head = list[0];
      if (head.signal.aborted) {
        list.shift()!.resolve({ kind: 'aborted' });
        continue;
      }
      const r = await this.tryAcquire(deploymentId, head.settings, list.length).catch(
        () => ({ kind: 'wait', waitMs: 200 }) as const,
      );
      if (r.kind === 'leases') {
        await this.grant(list, r.leases);
      } else if (r.kind === 'paused') {
        // The whole deployment waits: every local waiter goes back to the queue.
        list.splice(0).forEach((w) => w.resolve(r));
      } else {
        await this.sleep(deploymentId, r.waitMs || POLL_MS + Math.random() * POLL_MS);
      }
    }
    this.waiters.delete(deploymentId);
  }

  private sleep(deploymentId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake.set(deploymentId, done);
    });
  }

  private async tryAcquire(
    deploymentId: string,
    s: GateSettings,
    wanted: number,
  ): Promise<Acquired> {
    const now = Date.now();
    const base = randomBytes(8).toString('hex');
    const [keys, args] = this.acquireArgs(deploymentId, s, wanted, now, base);
    const reply = await this.redis.gwBpAcquire(...keys, ...args);
    return this.acquired(deploymentId, s, now, base, reply);
  }

  private acquireArgs(
    deploymentId: string,
    s: GateSettings,
    wanted: number,
    now: number,
    base: string,
  ): [string[], (string | number)[]] {
    const window = now - (now % 60_000);
    return [
      [
        this.keys.state(deploymentId),
        this.keys.leases(deploymentId),
        this.keys.rpm(deploymentId, window),
      ],
      [
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
    ];
  }

  /** Turns the acquire script's reply into leases (ids `<base>.<i>`) or a reason to wait. */
  private acquired(
    deploymentId: string,
    s: GateSettings,
    now: number,
    base: string,
    [ok, a, b, granted]: [number, number, number | string, number | undefined],
  ): Acquired {
    if (ok === 1) {
      let set = this.held.get(deploymentId);
      if (!set) this.held.set(deploymentId, (set = new Set()));
      const leases: Lease[] = [];
      for (let i = 1; i <= (granted ?? 1); i++) {
        const id = `${base}.${i}`;
        set.add(id);
        // inFlight: the calls in flight with this one, as the 429 rule needs.
        leases.push({
          id,
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

  /** Hands leases to this process's waiters in order; a slot nobody takes goes straight back. */
  private async grant(list: Waiter[], leases: Lease[]): Promise<void> {
    for (const lease of leases) {
      const w = list.shift();
      if (w && !w.signal.aborted) w.resolve({ kind: 'lease', lease });
      else {
        w?.resolve({ kind: 'aborted' });
        await this.settle(lease, undefined).catch(() => 0);
      }
    }
  }

  /**
   * Gives the slot back and feeds the call's outcome to the limit, breaker and pacing. When
   * this process has calls waiting for the deployment and the call did not end in a pause,
   * the same script takes slots for them, which saves the freed slot a round trip.
   */
  async settle(lease: Lease, report: CallReport | undefined): Promise<void> {
    const now = Date.now();
    const s = lease.settings;
    this.held.get(lease.deploymentId)?.delete(lease.id);
    const outcome = report ? classify(report.error) : 'neutral';
    const pauseMs = report ? pauseFor(report) : 0;
    const releaseKeys = [this.keys.state(lease.deploymentId), this.keys.leases(lease.deploymentId)];
    const releaseArgs = [
      now,
      lease.id,
      outcome,
      report?.latencyMs ?? now - lease.startedAt,
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
    const list = this.waiters.get(lease.deploymentId);
    const head = list?.find((w) => !w.signal.aborted);
    let limit: string;
    if (list && head && pauseMs === 0) {
      const base = randomBytes(8).toString('hex');
      const [keys, args] = this.acquireArgs(
        lease.deploymentId,
        head.settings,
        list.length,
        now,
        base,
      );
      const [after, ...reply] = await this.redis.gwBpHandOff(...keys, ...releaseArgs, ...args);
      limit = after;
      const r = this.acquired(lease.deploymentId, head.settings, now, base, reply);
      if (r.kind === 'leases') await this.grant(list, r.leases);
      else if (r.kind === 'paused') list.splice(0).forEach((w) => w.resolve(r));
    } else {
      limit = await this.redis.gwBpRelease(...releaseKeys, ...releaseArgs);
    }
    // The adaptive limit as this call left it, for `gateway_concurrency_limit`.
    if (Number.isFinite(Number(limit)))
      metrics().concurrencyLimit.set({ deployment: lease.deploymentId }, Number(limit));
    this.wake.get(lease.deploymentId)?.();
    if (pauseMs > 0) await this.pause(lease.deploymentId, pauseMs, outcome);
    if (s.tpm > 0 && report?.tokens)
      await this.spendTokens(lease.deploymentId, s.tpm, report.tokens);
  }

  /** Pauses the deployment for every replica (their acquires answer `paused`). */
  async pause(deploymentId: string, ms: number, reason: string): Promise<void> {
    await this.redis.gwBpPause(this.keys.state(deploymentId), Date.now(), Math.ceil(ms), reason);
  }

  /** Counts tokens against the minute's tpm budget; an exhausted budget pauses to its end. */
  private async spendTokens(deploymentId: string, tpm: number, tokens: number): Promise<void> {
    const now = Date.now();
    const window = now - (now % 60_000);
    const key = this.keys.tpm(deploymentId, window);
    const used = await this.redis.incrby(key, tokens);
    if (used === tokens) await this.redis.pexpire(key, 120_000);
    if (used >= tpm) await this.pause(deploymentId, window + 60_000 - now, 'tpm');
  }

  private async renew(): Promise<void> {
    const expiry = Date.now() + LEASE_TTL_MS;
    for (const [dep, ids] of this.held) {
      if (ids.size) await this.redis.gwBpRenew(this.keys.leases(dep), expiry, ...ids);
    }
  }

  close(): void {
    clearInterval(this.renewTimer);
    for (const list of this.waiters.values()) list.forEach((w) => w.resolve({ kind: 'aborted' }));
    this.waiters.clear();
  }
}
