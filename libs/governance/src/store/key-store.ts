import { RoutingStrategy } from '@gateway/contracts';
import type { Keys } from '@gateway/queue';
import { duplicateClient, type RedisClient as Redis } from '@gateway/storage';
import { generateApiKey, hashApiKey } from '../keys';

export const SCOPES = ['jobs:write', 'jobs:read', 'batches', 'admin'] as const;
/**
 * A scope: one of SCOPES, `models:<pattern>` limiting which models a key may use, or
 * `routing:<strategy>` (`routing:*` for all) limiting which strategies its requests may choose
 * with `routing.strategy`. A key without `models:` (or `routing:`) scopes is not limited.
 */
export type Scope = (typeof SCOPES)[number] | `models:${string}` | `routing:${string}`;
export const DEFAULT_SCOPES: Scope[] = ['jobs:write', 'jobs:read', 'batches'];

const ROUTING_SCOPE = new RegExp(`^routing:(\\*|${RoutingStrategy.options.join('|')})$`);

export function isScope(s: string): s is Scope {
  return (
    (SCOPES as readonly string[]).includes(s) ||
    /^models:[\w.*?-]{1,128}$/.test(s) ||
    ROUTING_SCOPE.test(s)
  );
}

/**
 * The strategies a key's `routing:` scopes let its requests choose; undefined when it has
 * none (or `routing:*`), which leaves the choice free.
 */
export function scopedStrategies(scopes: Iterable<string>): RoutingStrategy[] | undefined {
  const named = [...scopes].filter((s) => s.startsWith('routing:')).map((s) => s.slice(8));
  if (named.length === 0 || named.includes('*')) return undefined;
  return RoutingStrategy.options.filter((st) => named.includes(st));
}

/** What a key is, as stored (never the key itself: only its hash is the lookup). */
export interface StoredKey {
  readonly id: string;
  readonly tenantId: string;
  readonly scopes: Scope[];
  readonly prefix: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  /** Per-key rate limits; unset ones use DEFAULT_KEY_LIMITS. */
  readonly limits?: KeyLimits;
  /** Per-key budgets in USD (UTC day and month), beside the tenant's. */
  readonly budgets?: KeyBudgets;
  /**
   * Whose budget windows this key spends from: the first key of a rotation chain, so a
   * rotation never starts the windows afresh. Unset: its own id.
   */
  readonly budgetOf?: string;
  /** Set when the key was rotated: the key that replaces it. */
  readonly replacedBy?: string;
}

export interface KeyBudgets {
  readonly dailyUsd?: number;
  readonly monthlyUsd?: number;
}

/** What an admin may change on an existing key: a value replaces, null removes. */
export interface KeyPatch {
  readonly limits?: KeyLimits | null;
  readonly budgets?: KeyBudgets | null;
}

export interface KeyLimits {
  readonly rpm?: number;
  readonly tpm?: number;
}

/** The caller behind a valid key. */
export interface Principal {
  readonly keyId: string;
  readonly tenantId: string;
  readonly scopes: ReadonlySet<string>;
  readonly limits?: KeyLimits;
  readonly budgets?: KeyBudgets;
  /** The key whose budget windows this one spends from (see StoredKey.budgetOf). */
  readonly budgetKeyId?: string;
}

/**
 * API keys in Redis, looked up by hash. Each process caches lookups briefly; a revocation is
 * published so every replica drops its cached entry at once.
 */
export class KeyStore {
  private readonly cache = new Map<string, { key: StoredKey | null; until: number }>();
  /**
   * When each key was last invalidated (a counter, not a clock): a lookup that was already
   * on its way to Redis when its key changed must not cache what it read, or a revoked key
   * would keep working here until the entry expires.
   */
  private readonly invalidated = new Map<string, number>();
  private invalidations = 0;
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly cacheMs = 5000,
  ) {}

  /** Subscribes to revocations so cached keys are dropped on every replica at once. */
  async listen(): Promise<void> {
    this.subscriber = duplicateClient(this.redis);
    this.subscriber.on('error', () => undefined);
    await this.subscriber.subscribe(this.keys.keyInvalidation());
    this.subscriber.on('message', (_c: string, hash: string) => this.forget(hash));
  }

  async create(
    tenantId: string,
    scopes: Scope[],
    expiresAt: string | null = null,
    limits?: KeyLimits,
    budgets?: KeyBudgets,
    budgetOf?: string,
  ): Promise<{ id: string; key: string; record: StoredKey }> {
    const k = generateApiKey();
    const record: StoredKey = {
      id: k.id,
      tenantId,
      scopes,
      prefix: k.prefix,
      createdAt: new Date().toISOString(),
      expiresAt,
      ...(limits ? { limits } : {}),
      ...(budgets ? { budgets } : {}),
      ...(budgetOf ? { budgetOf } : {}),
    };
    // One key per step (they lie in different Redis Cluster slots), indexes first: a crash
    // part way leaves index entries that resolve to nothing (lists skip them), never a key
    // that works but cannot be listed or revoked. The key is shown only once all are written.
    await this.redis.sadd(`${this.keys.prefix}:tenantkeys:${tenantId}`, k.id);
    await this.redis.set(this.keys.apiKeyById(k.id), k.hash);
    await this.redis.set(this.keys.apiKey(k.hash), JSON.stringify(record));
    return { id: k.id, key: k.key, record };
  }

  /** Revokes a key everywhere. Returns false when there is no such key. */
  async revoke(id: string): Promise<boolean> {
    const hash = await this.redis.get(this.keys.apiKeyById(id));
    if (!hash) return false;
    const raw = await this.redis.get(this.keys.apiKey(hash));
    const rec = raw ? (JSON.parse(raw) as StoredKey) : null;
    // The key stops working first, on every replica at once (one slot: the key and a
    // keyless PUBLISH); the indexes go after, and a repeated revoke finishes them.
    await this.redis
      .multi()
      .del(this.keys.apiKey(hash))
      .publish(this.keys.keyInvalidation(), hash)
      .exec();
    this.forget(hash);
    if (rec) await this.redis.srem(`${this.keys.prefix}:tenantkeys:${rec.tenantId}`, id);
    await this.redis.del(this.keys.apiKeyById(id));
    return true;
  }

  /**
   * Rotates a key: a new key with the same tenant, scopes and limits, while the old one
   * keeps working for `graceSec` (0 = revoked now). Every replica sees the shortened expiry
   * at once (the cached entry is dropped through the invalidation channel).
   */
  async rotate(
    id: string,
    graceSec: number,
  ): Promise<{ id: string; key: string; record: StoredKey; oldExpiresAt: string } | null> {
    const hash = await this.redis.get(this.keys.apiKeyById(id));
    const old = hash ? await this.get(id) : null;
    if (!hash || !old) return null;
    const next = await this.create(
      old.tenantId,
      old.scopes,
      old.expiresAt,
      old.limits,
      old.budgets,
      old.budgetOf ?? old.id,
    );
    const graceEnd = new Date(Date.now() + graceSec * 1000);
    const oldExpiresAt =
      old.expiresAt && Date.parse(old.expiresAt) < graceEnd.getTime()
        ? old.expiresAt
        : graceEnd.toISOString();
    const updated: StoredKey = { ...old, expiresAt: oldExpiresAt, replacedBy: next.id };
    await this.redis
      .multi()
      .set(this.keys.apiKey(hash), JSON.stringify(updated))
      .publish(this.keys.keyInvalidation(), hash)
      .exec();
    this.forget(hash);
    return { ...next, oldExpiresAt };
  }

  /**
   * Changes a key's limits or budgets (a field sent replaces the stored one); every replica
   * drops its cached entry at once. Null when there is no such key.
   */
  async update(id: string, patch: KeyPatch): Promise<StoredKey | null> {
    const hash = await this.redis.get(this.keys.apiKeyById(id));
    const old = hash ? await this.get(id) : null;
    if (!hash || !old) return null;
    const next: { -readonly [K in keyof StoredKey]: StoredKey[K] } = { ...old };
    if (patch.limits !== undefined) next.limits = patch.limits ?? undefined;
    if (patch.budgets !== undefined) next.budgets = patch.budgets ?? undefined;
    await this.redis
      .multi()
      .set(this.keys.apiKey(hash), JSON.stringify(next))
      .publish(this.keys.keyInvalidation(), hash)
      .exec();
    this.forget(hash);
    return next;
  }

  async get(id: string): Promise<StoredKey | null> {
    const hash = await this.redis.get(this.keys.apiKeyById(id));
    if (!hash) return null;
    const raw = await this.redis.get(this.keys.apiKey(hash));
    return raw ? (JSON.parse(raw) as StoredKey) : null;
  }

  async listForTenant(tenantId: string): Promise<StoredKey[]> {
    const ids = await this.redis.smembers(`${this.keys.prefix}:tenantkeys:${tenantId}`);
    const out = await Promise.all(ids.map((id) => this.get(id)));
    return out.filter((k): k is StoredKey => k !== null);
  }

  /** Drops a key's cached entry, and any lookup of it still in flight from being cached. */
  private forget(hash: string): void {
    this.cache.delete(hash);
    if (this.invalidated.size > 10_000) this.invalidated.clear();
    this.invalidated.set(hash, ++this.invalidations);
  }

  /** The principal behind a presented key, or null when it is unknown, revoked or expired. */
  async authenticate(presented: string): Promise<Principal | null> {
    if (!/^gw_[A-Za-z0-9_]{16,128}$/.test(presented)) return null;
    const hash = hashApiKey(presented);
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.until < now) {
      const asked = this.invalidations;
      const raw = await this.redis.get(this.keys.apiKey(hash));
      entry = { key: raw ? (JSON.parse(raw) as StoredKey) : null, until: now + this.cacheMs };
      if (this.cache.size > 10_000) this.cache.clear();
      if ((this.invalidated.get(hash) ?? 0) <= asked) this.cache.set(hash, entry);
    }
    const key = entry.key;
    if (!key) return null;
    if (key.expiresAt && Date.parse(key.expiresAt) <= now) return null;
    return {
      keyId: key.id,
      tenantId: key.tenantId,
      scopes: new Set(key.scopes),
      ...(key.limits ? { limits: key.limits } : {}),
      ...(key.budgets ? { budgets: key.budgets } : {}),
      ...(key.budgetOf ? { budgetKeyId: key.budgetOf } : {}),
    };
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
  }
}
