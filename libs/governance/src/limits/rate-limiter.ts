import type { RedisClient as Redis } from '@gateway/storage';
import { dayOf, type GovKeys } from '../gov-keys';
import { DEFAULT_KEY_LIMITS, DEFAULT_TENANT_LIMITS } from './default-limits';
import { RATE_LIMIT } from './rate-limit.script';

const WINDOW_MS = 60_000;

/** One limit as the `x-ratelimit-*` headers report it. */
export interface RateLimitState {
  readonly name: string;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSec: number;
}

export type RateLimitResult =
  | { readonly ok: true; readonly states: RateLimitState[] }
  | {
      readonly ok: false;
      readonly states: RateLimitState[];
      /** The limit that refused (e.g. `key rpm`). */
      readonly refusedBy: RateLimitState;
      readonly retryAfterSec: number;
    };

/** Who is counted: the tenant and the key, each with its own limits (or the defaults). */
export interface RateSubject {
  readonly tenantId: string;
  readonly keyId: string;
  readonly tenantLimits?: { readonly rpm?: number; readonly tpm?: number };
  readonly keyLimits?: { readonly rpm?: number; readonly tpm?: number };
}

type RateScript = (...a: (string | number)[]) => Promise<number[]>;
type ScriptRedis = Redis & { gwRateLimit: RateScript; gwRateLimit4: RateScript };

/**
 * Requests and tokens per minute per tenant and per key, in Redis so every replica shares
 * the counts. Fixed windows: one script call checks and counts all limits atomically.
 */
/** Counters per kind of limit (rpm, tpm): the tenant's and the API key's. */
const LIMITS_PER_CALL = 2;

export class RateLimiter {
  private readonly redis: ScriptRedis;

  constructor(
    redis: Redis,
    private readonly keys: GovKeys,
    private readonly now: () => number = Date.now,
  ) {
    // A fixed key count (the tenant's and the key's counter): ioredis then knows the first
    // key, which a Redis Cluster client needs to route the call (and group it when pipelining).
    if (!('gwRateLimit' in redis)) {
      redis.defineCommand('gwRateLimit', { numberOfKeys: LIMITS_PER_CALL, lua: RATE_LIMIT });
      // Requests and tokens at once: the same script over both kinds' counters.
      redis.defineCommand('gwRateLimit4', { numberOfKeys: 2 * LIMITS_PER_CALL, lua: RATE_LIMIT });
    }
    this.redis = redis as ScriptRedis;
  }

  /** Counts one request against the rpm limits. */
  consumeRequest(s: RateSubject): Promise<RateLimitResult> {
    return this.run(this.plan(s, [['rpm', 1]]));
  }

  /**
   * The check of a submission: its request (unless counted already) and its estimated tokens,
   * admitted only when every counter has room; a refusal counts nothing. Its states list the
   * rpm limits, then the tpm ones.
   */
  submission(s: RateSubject, tokens: number, countRequest: boolean): RatePlan {
    const cost = Math.max(1, Math.round(tokens));
    return this.plan(
      s,
      countRequest
        ? [
            ['rpm', 1],
            ['tpm', cost],
          ]
        : [['tpm', cost]],
    );
  }

  /** Runs a planned check alone (one script call). */
  async run(plan: RatePlan): Promise<RateLimitResult> {
    const script = plan.keys.length === 4 ? this.redis.gwRateLimit4 : this.redis.gwRateLimit;
    return this.outcome(plan, await script.call(this.redis, ...plan.keys, ...plan.args));
  }

  /**
   * Corrects a window's token count with actual usage (negative gives tokens back). The
   * window is the one the estimate went into; once it has passed, nothing is left to fix.
   */
  async correctTokens(counterKeys: readonly string[], delta: number): Promise<void> {
    if (delta === 0) return;
    const pipe = this.redis.pipeline();
    for (const k of counterKeys) {
      // Only while the window's key lives: INCRBY on a gone key would revive it without a TTL.
      pipe.eval(
        "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end return 0",
        1,
        k,
        Math.round(delta),
      );
    }
    await pipe.exec();
  }

  /** The tpm counter keys of the current window, stored so completion can correct them. */
  tokenCounterKeys(s: RateSubject): string[] {
    const w = this.windowStart();
    return [
      this.keys.rate(s.tenantId, 't', 'tpm', w),
      this.keys.rate(s.tenantId, s.keyId, 'tpm', w),
    ];
  }

  /** How many requests of the tenant its rate limits refused today (UTC), for operators. */
  async hitsToday(tenantId: string): Promise<number> {
    return Number(
      (await this.redis.get(this.keys.rateLimitHits(tenantId, dayOf(this.now())))) ?? 0,
    );
  }

  private windowStart(): number {
    return Math.floor(this.now() / WINDOW_MS) * WINDOW_MS;
  }

  /**
   * The counters, limits and costs of one check: the RATE_LIMIT script's KEYS and ARGV (run
   * alone, or as the first step of admission's script). Per kind the tenant's counter, then
   * the key's: a refusal names the first that is full.
   */
  plan(
    s: RateSubject,
    counts: readonly (readonly [kind: 'rpm' | 'tpm', cost: number])[],
  ): RatePlan {
    const w = this.windowStart();
    const limits = counts.flatMap(([kind, cost]) => [
      {
        kind,
        name: `tenant ${kind}`,
        key: this.keys.rate(s.tenantId, 't', kind, w),
        limit: s.tenantLimits?.[kind] ?? DEFAULT_TENANT_LIMITS[kind],
        cost,
      },
      {
        kind,
        name: `key ${kind}`,
        key: this.keys.rate(s.tenantId, s.keyId, kind, w),
        limit: s.keyLimits?.[kind] ?? DEFAULT_KEY_LIMITS[kind],
        cost,
      },
    ]);
    return {
      subject: s,
      limits,
      requestCounters: limits.filter((l) => l.kind === 'rpm').length,
      resetSec: Math.max(1, Math.ceil((w + WINDOW_MS - this.now()) / 1000)),
      keys: limits.map((l) => l.key),
      args: [Math.ceil(WINDOW_MS / 1000) + 5, ...limits.flatMap((l) => [l.limit, l.cost])],
    };
  }

  /** What the RATE_LIMIT script's answer `res` to `plan` means. */
  async outcome(plan: RatePlan, res: number[]): Promise<RateLimitResult> {
    const used = res[0] === 1 ? res.slice(1) : res.slice(2);
    const states = plan.limits.map((l, i) => ({
      name: l.name,
      limit: l.limit,
      remaining: Math.max(0, l.limit - Number(used[i] ?? 0)),
      resetSec: plan.resetSec,
    }));
    if (res[0] === 1) return { ok: true, states };
    // Refusals are counted per day for the ops page; only the refused path pays for it.
    const hits = this.keys.rateLimitHits(plan.subject.tenantId, dayOf(this.now()));
    await this.redis
      .pipeline()
      .incr(hits)
      .expire(hits, 2 * 86400)
      .exec();
    return {
      ok: false,
      states,
      refusedBy: states[res[1] - 1],
      retryAfterSec: plan.resetSec,
    };
  }
}

/** One rate check, planned: see {@link RateLimiter.plan}. */
export interface RatePlan {
  readonly subject: RateSubject;
  readonly limits: readonly {
    kind: 'rpm' | 'tpm';
    name: string;
    key: string;
    limit: number;
    cost: number;
  }[];
  /** How many of the counters (the first ones) count requests. */
  readonly requestCounters: number;
  readonly resetSec: number;
  readonly keys: readonly string[];
  readonly args: readonly number[];
}

/** The tightest of several limits: the one with the fewest requests or tokens left. */
export function tightest(states: readonly RateLimitState[]): RateLimitState | undefined {
  let best: RateLimitState | undefined;
  for (const s of states) {
    if (!best || s.remaining / s.limit < best.remaining / best.limit) best = s;
  }
  return best;
}
