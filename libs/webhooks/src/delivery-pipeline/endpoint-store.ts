import { randomBytes } from 'node:crypto';
import type { PayloadCipher } from '@gateway/governance';
import { getMany, type RedisClient as Redis } from '@gateway/storage';
import { generateWebhookSecret } from '../signing';
import type { WebhookEventType, WebhookKeys } from './webhook-keys';

/** A signing secret with the one it replaced, valid until `previousExpiresAt`. */
export interface SecretSet {
  readonly secret: string;
  readonly previousSecret?: string;
  readonly previousExpiresAt?: string;
}

/** An endpoint a tenant registered; `secret` never leaves the API except at create/rotate. */
export interface WebhookEndpoint extends SecretSet {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly description: string | null;
  readonly createdAt: string;
}

export type PublicEndpoint = Omit<WebhookEndpoint, 'secret' | 'previousSecret'>;

/** The endpoint as listed: everything but the secrets. */
export function publicEndpoint(e: WebhookEndpoint): PublicEndpoint {
  const { secret: _s, previousSecret: _p, ...rest } = e;
  return rest;
}

/** Secrets that sign now: the current one, and the previous one during its grace period. */
export function activeSecrets(s: SecretSet, now = Date.now()): string[] {
  const out = [s.secret];
  if (s.previousSecret && s.previousExpiresAt && Date.parse(s.previousExpiresAt) > now)
    out.push(s.previousSecret);
  return out;
}

function rotated(s: SecretSet, graceSec: number): SecretSet {
  return {
    secret: generateWebhookSecret(),
    ...(graceSec > 0
      ? {
          previousSecret: s.secret,
          previousExpiresAt: new Date(Date.now() + graceSec * 1000).toISOString(),
        }
      : {}),
  };
}

/** A secret as stored in clear (before encryption at rest, or with no key configured). */
const CLEAR_SECRET = /^whsec_/;

/**
 * Tenant webhook endpoints and the per-tenant secret for per-job webhooks, in Redis. With a
 * payload cipher (`GATEWAY_ENCRYPTION_KEY`) the secrets are stored AES-256-GCM encrypted and
 * bound to their endpoint or tenant; secrets stored in clear earlier are still read, and a
 * rotation stores the new ones encrypted.
 */
export class WebhookEndpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: WebhookKeys,
    private readonly cipher?: PayloadCipher,
  ) {}

  /** The secrets of `s` as they are written to Redis; `owner` binds them to their record. */
  private seal<T extends SecretSet>(s: T, owner: string): T {
    const c = this.cipher;
    if (!c) return s;
    return {
      ...s,
      secret: c.encrypt(s.secret, owner),
      ...(s.previousSecret ? { previousSecret: c.encrypt(s.previousSecret, owner) } : {}),
    };
  }

  /** Reads a stored record, whichever form its secrets were written in. */
  private open<T extends SecretSet>(raw: string, owner: (t: T) => string): T {
    const s = JSON.parse(raw) as T;
    const plain = (v: string) => {
      if (CLEAR_SECRET.test(v)) return v;
      if (!this.cipher)
        throw new Error('A webhook secret is encrypted; set GATEWAY_ENCRYPTION_KEY to read it');
      return this.cipher.decrypt(v, owner(s)).toString('utf8');
    };
    return {
      ...s,
      secret: plain(s.secret),
      ...(s.previousSecret ? { previousSecret: plain(s.previousSecret) } : {}),
    };
  }

  private readonly endpointOwner = (e: WebhookEndpoint) => `whsec:ep:${e.id}`;
  private readonly tenantOwner = (tenantId: string) => `whsec:tenant:${tenantId}`;

  async create(
    tenantId: string,
    input: { url: string; events: readonly WebhookEventType[]; description?: string },
  ): Promise<WebhookEndpoint> {
    const endpoint: WebhookEndpoint = {
      id: `wh_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`,
      tenantId,
      url: input.url,
      events: [...input.events],
      description: input.description ?? null,
      createdAt: new Date().toISOString(),
      secret: generateWebhookSecret(),
    };
    // The endpoint, then the tenant's index (two Redis Cluster slots): a crash between leaves
    // an endpoint nobody was told of and no delivery looks up, never an index entry without one.
    await this.redis.set(
      this.keys.endpoint(endpoint.id),
      JSON.stringify(this.seal(endpoint, this.endpointOwner(endpoint))),
    );
    await this.redis.sadd(this.keys.tenantEndpoints(tenantId), endpoint.id);
    return endpoint;
  }

  async get(id: string): Promise<WebhookEndpoint | null> {
    const raw = await this.redis.get(this.keys.endpoint(id));
    return raw ? this.open(raw, this.endpointOwner) : null;
  }

  async list(tenantId: string): Promise<WebhookEndpoint[]> {
    const ids = await this.redis.smembers(this.keys.tenantEndpoints(tenantId));
    if (ids.length === 0) return [];
    const raws = await getMany(
      this.redis,
      ids.map((id) => this.keys.endpoint(id)),
    );
    return raws
      .filter((r): r is string => r !== null)
      .map((r) => this.open(r, this.endpointOwner))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Removes a tenant's endpoint; false when it is not theirs or does not exist. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const e = await this.get(id);
    if (!e || e.tenantId !== tenantId) return false;
    // The endpoint first (deliveries stop at once), then its index entry.
    await this.redis.del(this.keys.endpoint(id));
    await this.redis.srem(this.keys.tenantEndpoints(tenantId), id);
    return true;
  }

  /** New secret for an endpoint; the old one keeps signing for `graceSec`. */
  async rotate(tenantId: string, id: string, graceSec: number): Promise<WebhookEndpoint | null> {
    const e = await this.get(id);
    if (!e || e.tenantId !== tenantId) return null;
    const { previousSecret: _p, previousExpiresAt: _x, ...base } = e;
    const next: WebhookEndpoint = { ...base, ...rotated(e, graceSec) };
    await this.redis.set(
      this.keys.endpoint(id),
      JSON.stringify(this.seal(next, this.endpointOwner(next))),
    );
    return next;
  }

  /** The secret that signs a tenant's per-job webhooks, created on first use. */
  async tenantSecret(tenantId: string): Promise<SecretSet> {
    const key = this.keys.tenantSecret(tenantId);
    const owner = this.tenantOwner(tenantId);
    const fresh = JSON.stringify(this.seal({ secret: generateWebhookSecret() }, owner));
    // NX: concurrent first uses agree on one secret.
    await this.redis.set(key, fresh, 'NX');
    return this.open<SecretSet>((await this.redis.get(key)) ?? fresh, () => owner);
  }

  async rotateTenantSecret(tenantId: string, graceSec: number): Promise<SecretSet> {
    const next = rotated(await this.tenantSecret(tenantId), graceSec);
    await this.redis.set(
      this.keys.tenantSecret(tenantId),
      JSON.stringify(this.seal(next, this.tenantOwner(tenantId))),
    );
    return next;
  }
}
