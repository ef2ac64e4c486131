import type { Keys } from '@gateway/queue';

/**
 * Redis keys of governance state. Everything about one tenant (rate counters, budget
 * windows, the per-job ledger, usage) shares the tenant's hash tag `{t:<id>}`, so each Lua
 * script below touches one Redis Cluster slot.
 */
export class GovKeys {
  constructor(readonly keys: Keys) {}

  private t(tenantId: string): string {
    return `${this.keys.prefix}:{t:${tenantId}}`;
  }
  /** Fixed-window counter: `scope` is `t` (the tenant) or a key id; `kind` rpm or tpm. */
  rate(tenantId: string, scope: string, kind: 'rpm' | 'tpm', windowStart: number): string {
    return `${this.t(tenantId)}:rl:${scope}:${kind}:${windowStart}`;
  }
  /** Counter of a tenant's requests refused by its rpm/tpm limits on one UTC day. */
  rateLimitHits(tenantId: string, day: string): string {
    return `${this.t(tenantId)}:rl:hits:${day}`;
  }
  /** HASH {spent, reserved, warned} of a budget window (nano-USD integers). */
  budget(tenantId: string, window: string): string {
    return `${this.t(tenantId)}:budget:${window}`;
  }
  /** HASH {spent, reserved, warned} of an API key's budget window (same tenant hash tag). */
  keyBudget(tenantId: string, keyId: string, window: string): string {
    return `${this.t(tenantId)}:budget:key:${keyId}:${window}`;
  }
  /** HASH: what a job reserved and counted at admission, until it settles. */
  ledger(tenantId: string, jobId: string): string {
    return `${this.t(tenantId)}:ledger:${jobId}`;
  }
  /** HASH `<deployment>|<keyId>|<metric>` → count, one per UTC day. */
  usage(tenantId: string, day: string): string {
    return `${this.t(tenantId)}:usage:${day}`;
  }
  /** Prefix of the usage keys (the Lua settle script appends the day). */
  usagePrefix(tenantId: string): string {
    return `${this.t(tenantId)}:usage:`;
  }
  /** The pseudonym mapping of a job (shares the job's shard tag). */
  pseudonyms(jobId: string): string {
    return this.keys.pseudonyms(jobId);
  }
  adminCredential(hash: string): string {
    return `${this.keys.prefix}:admincred:${hash}`;
  }
  adminCredentialById(id: string): string {
    return `${this.keys.prefix}:admincredid:${id}`;
  }
  adminCredentials(): string {
    return `${this.keys.prefix}:admincreds`;
  }
}

/** UTC day (`2026-01-15`) and month (`2026-01`) of an instant. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** Nano-USD: integer amounts keep sums exact in Redis (costs are rounded to 1e-9 already). */
export const toNano = (usd: number): number => Math.round(usd * 1e9);
export const fromNano = (n: number): number => Math.round(n) / 1e9;
