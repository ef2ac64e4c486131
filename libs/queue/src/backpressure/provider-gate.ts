import { randomBytes } from 'node:crypto';
import { metrics } from '@gateway/observability';
import type { RedisClient as Redis } from '@gateway/storage';
import type { BackpressureKeys, GateSettings } from './backpressure-keys';
import { classify, pauseFor, type CallReport } from './call-outcome';
import {
  acquireCall,
  acquired,
  gateCommands,
  LEASE_TTL_MS,
  releaseArgs,
  type Acquired,
  type GateRedis,
  type GateResult,
  type Lease,
} from './gate-protocol';

export type { CallReport } from './call-outcome';
export type { GateResult, Lease } from './gate-protocol';

const POLL_MS = 15;
/**
 * A deployment pause up to this long (a short Retry-After) is waited out by the calls already
 * waiting here: they keep their place and go as soon as it ends, where sending each back to
 * the queue would cost a round of re-fetching. The queue itself is paused all the same (the
 * call that met the 429 pauses it), so no new job is taken meanwhile. Longer pauses, and an
 * open breaker, hand every waiter back at once.
 */
const HOLD_PAUSE_MS = 1000;

const holds = (r: { reason: string; ms: number }) => r.reason === 'paused' && r.ms <= HOLD_PAUSE_MS;

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
    this.redis = gateCommands(redis);
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
        // The whole deployment waits: a short pause here, else every waiter back to the queue.
        if (holds(r)) await this.sleep(deploymentId, r.ms);
        else list.splice(0).forEach((w) => w.resolve(r));
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
    const call = acquireCall(this.keys, deploymentId, s, wanted, now, base);
    const reply = await this.redis.gwBpAcquire(...call.keys, ...call.args);
    return this.hold(acquired(deploymentId, s, now, base, reply));
  }

  /** Records granted leases as this process's, so they are renewed while their calls run. */
  private hold(r: Acquired): Acquired {
    if (r.kind !== 'leases' || r.leases.length === 0) return r;
    const dep = r.leases[0].deploymentId;
    let set = this.held.get(dep);
    if (!set) this.held.set(dep, (set = new Set()));
    for (const l of r.leases) set.add(l.id);
    return r;
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
    const dep = lease.deploymentId;
    const s = lease.settings;
    this.held.get(dep)?.delete(lease.id);
    const outcome = report ? classify(report.error) : 'neutral';
    const pauseMs = report ? pauseFor(report) : 0;
    // The pause first: no replica may take the freed slot before it holds.
    if (pauseMs > 0) await this.pause(dep, pauseMs, outcome);
    const released = releaseArgs(lease, outcome, report?.latencyMs ?? now - lease.startedAt, now);
    const list = this.waiters.get(dep);
    const head = list?.find((w) => !w.signal.aborted);
    let limit: string;
    if (list && head && pauseMs === 0) {
      const base = randomBytes(8).toString('hex');
      const call = acquireCall(this.keys, dep, head.settings, list.length, now, base);
      const [after, ...reply] = await this.redis.gwBpHandOff(
        ...call.keys,
        ...released,
        ...call.args,
      );
      limit = after;
      const r = this.hold(acquired(dep, head.settings, now, base, reply));
      if (r.kind === 'leases') await this.grant(list, r.leases);
      else if (r.kind === 'paused' && !holds(r)) list.splice(0).forEach((w) => w.resolve(r));
    } else {
      limit = await this.redis.gwBpRelease(
        this.keys.state(dep),
        this.keys.leases(dep),
        ...released,
      );
    }
    // The adaptive limit as this call left it, for `gateway_concurrency_limit`.
    if (Number.isFinite(Number(limit)))
      metrics().concurrencyLimit.set({ deployment: dep }, Number(limit));
    this.wake.get(dep)?.();
    if (s.tpm > 0 && report?.tokens) await this.spendTokens(dep, s.tpm, report.tokens);
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
