import {
  AdaptiveLimit,
  BreakerConfig,
  type DeploymentConfig,
  type LoadedConfig,
} from '@gateway/config';
import { queueNameFor } from '../keys';

/**
 * Backpressure keys of one deployment. They carry the deployment queue's own hash tag, so a
 * script may touch them together with BullMQ's keys of that queue (admission counts them).
 */
export class BackpressureKeys {
  constructor(
    private readonly prefix: string,
    private readonly bullPrefix: string,
  ) {}

  private base(deploymentId: string): string {
    return `${this.prefix}:bp:${queueNameFor(deploymentId)}`;
  }
  /** HASH: limit, breaker, pause, latency and counters (the stats observability exports). */
  state(deploymentId: string): string {
    return `${this.base(deploymentId)}:state`;
  }
  /** ZSET: calls in flight, scored by lease expiry. */
  leases(deploymentId: string): string {
    return `${this.base(deploymentId)}:leases`;
  }
  /** Calls started in the minute window starting at `windowStart`. */
  rpm(deploymentId: string, windowStart: number): string {
    return `${this.base(deploymentId)}:rpm:${windowStart}`;
  }
  /** Tokens used in the minute window starting at `windowStart`. */
  tpm(deploymentId: string, windowStart: number): string {
    return `${this.base(deploymentId)}:tpm:${windowStart}`;
  }
  /** HASH: the fair-queueing clocks (V, per-tenant finish tags, weights). */
  fair(deploymentId: string): string {
    return `${this.base(deploymentId)}:fair`;
  }
  /** HASH second → jobs started in it (the drain rate behind Retry-After). */
  drain(deploymentId: string): string {
    return `${this.base(deploymentId)}:drain`;
  }
  /** BullMQ's sorted set of prioritized waiting jobs of the deployment's queue. */
  bullPrioritized(deploymentId: string): string {
    return `${this.bullPrefix}:${queueNameFor(deploymentId)}:prioritized`;
  }
  /** BullMQ's list of waiting jobs without priority. */
  bullWait(deploymentId: string): string {
    return `${this.bullPrefix}:${queueNameFor(deploymentId)}:wait`;
  }
}

/** A deployment's backpressure settings with every default applied. */
export interface GateSettings {
  readonly maxConcurrency: number;
  readonly adaptive: AdaptiveLimit;
  readonly breaker: BreakerConfig;
  readonly rpm: number;
  readonly tpm: number;
}

const cache = new WeakMap<DeploymentConfig, GateSettings>();

/** Resolves (once per config object) a deployment's settings. */
export function gateSettings(d: DeploymentConfig): GateSettings {
  let s = cache.get(d);
  if (!s) {
    s = {
      maxConcurrency: d.limits.maxConcurrency,
      adaptive: AdaptiveLimit.parse(d.limits.adaptive ?? {}),
      breaker: BreakerConfig.parse(d.breaker ?? {}),
      rpm: d.limits.rpm ?? 0,
      tpm: d.limits.tpm ?? 0,
    };
    cache.set(d, s);
  }
  return s;
}

/** The deployment bound on waiting jobs. */
export function maxQueuedOf(cfg: LoadedConfig, d: DeploymentConfig): number {
  return d.limits.maxQueued ?? cfg.jobs.maxQueuedPerDeployment;
}
