import type { LocalSimulation } from '@gateway/config';

/**
 * Load and fault injection for the local provider, as pure decisions: what a call should
 * suffer and how long it should take. Nothing here waits or throws, so an HTTP "local
 * upstream" server can turn the same decisions into status codes and headers.
 */

/** A simulated failure. `hang` means: answer nothing until the caller gives up. */
export type SimulatedFault =
  | {
      readonly kind: 'rate_limited';
      readonly cause: 'rate' | 'capacity';
      readonly retryAfterMs: number;
      readonly capacity?: number;
    }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'overloaded'; readonly retryAfterMs: number }
  | { readonly kind: 'hang' };

/** The fate of one admitted call. Call `release()` when it ends, whatever the outcome. */
export interface SimulationTicket {
  readonly fault: SimulatedFault | undefined;
  /** Total time the call should take, ms (0 when it fails at once). */
  readonly latencyMs: number;
  /** Calls of the same scope in flight when this one arrived (not counting it). */
  readonly inFlight: number;
  release(): void;
}

/** Simulation settings as written in config; defaults apply to anything missing. */
export type SimulationSettings = Partial<LocalSimulation>;

type LatencySpec = LocalSimulation['latencyMs'];

/** mulberry32: a tiny seeded PRNG, so fault tests and load runs can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A latency sample in ms: fixed, or normal (Box–Muller) clipped at 0. */
export function sampleLatency(spec: LatencySpec, random: () => number): number {
  if (spec === undefined) return 0;
  if (typeof spec === 'number') return spec;
  const { meanMs, stddevMs = 0 } = spec;
  if (stddevMs === 0) return meanMs;
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(0, meanMs + z * stddevMs);
}

const NO_OP = () => undefined;

/**
 * Tracks calls in flight per scope (a deployment id) in this process and decides each
 * new call's fault and latency from the deployment's settings.
 */
export class LoadSimulator {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  /** Calls of the scope currently in flight. */
  inFlightOf(scope: string): number {
    return this.inFlight.get(scope) ?? 0;
  }

  admit(scope: string, sim: SimulationSettings): SimulationTicket {
    const inFlight = this.inFlightOf(scope);
    const retryAfterMs = sim.retryAfterMs ?? 1000;
    const capacity = sim.capacity;
    // Capacity first: it is a hard limit, not a probability.
    if (capacity !== undefined && inFlight >= capacity) {
      return this.rejected(
        { kind: 'rate_limited', cause: 'capacity', retryAfterMs, capacity },
        inFlight,
      );
    }
    const fault = this.rollFault(sim, retryAfterMs);
    if (fault && fault.kind !== 'hang') return this.rejected(fault, inFlight);

    const base = sampleLatency(sim.latencyMs, this.random);
    const factor = sim.loadLatencyFactor ?? 0;
    // Latency grows with load: each call in flight adds `factor / capacity` of the base.
    const latencyMs = base * (1 + (factor * inFlight) / (capacity ?? 1));
    this.inFlight.set(scope, inFlight + 1);
    let released = false;
    return {
      fault,
      latencyMs,
      inFlight,
      release: () => {
        if (released) return;
        released = true;
        const n = this.inFlightOf(scope) - 1;
        if (n > 0) this.inFlight.set(scope, n);
        else this.inFlight.delete(scope);
      },
    };
  }

  /** One uniform draw split into bands, so the configured shares add up as written. */
  private rollFault(sim: SimulationSettings, retryAfterMs: number): SimulatedFault | undefined {
    const bands: [number, SimulatedFault][] = [
      [sim.rateLimitRate ?? 0, { kind: 'rate_limited', cause: 'rate', retryAfterMs }],
      [sim.serverErrorRate ?? 0, { kind: 'server_error' }],
      [sim.overloadedRate ?? 0, { kind: 'overloaded', retryAfterMs }],
      [sim.hangRate ?? 0, { kind: 'hang' }],
    ];
    if (bands.every(([rate]) => rate <= 0)) return undefined;
    const u = this.random();
    let edge = 0;
    for (const [rate, fault] of bands) {
      edge += rate;
      if (u < edge) return fault;
    }
    return undefined;
  }

  private rejected(fault: SimulatedFault, inFlight: number): SimulationTicket {
    return { fault, latencyMs: 0, inFlight, release: NO_OP };
  }
}
