import { getMany, type RedisClient as Redis } from '@gateway/storage';
import { hashApiKey, randomBase62, safeEqual } from '../keys';
import type { GovKeys } from '../gov-keys';

/** What an admin credential may do: viewer reads, operator also changes, admin also manages credentials and erases data. */
export const ADMIN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export function roleAllows(have: AdminRole, need: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(have) >= ADMIN_ROLES.indexOf(need);
}

/** An admin caller: the bootstrap credential (`bootstrap`) or a named one. */
export interface AdminPrincipal {
  readonly id: string;
  readonly name: string;
  readonly role: AdminRole;
}

export interface StoredAdminCredential extends AdminPrincipal {
  readonly prefix: string;
  readonly createdAt: string;
}

const FORMAT = /^gwa_[0-9A-Za-z]{48}$/;

/**
 * Named admin credentials with roles, beside the bootstrap GATEWAY_ADMIN_KEY (role admin).
 * Stored like API keys: only the SHA-256 of the credential, looked up by hash.
 */
export class AdminCredentials {
  private readonly bootstrap: Buffer | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: GovKeys,
    bootstrapKey: string | undefined,
  ) {
    this.bootstrap = bootstrapKey ? Buffer.from(bootstrapKey) : undefined;
  }

  async create(
    name: string,
    role: AdminRole,
  ): Promise<{ credential: string; record: StoredAdminCredential }> {
    const credential = `gwa_${randomBase62(48)}`;
    const record: StoredAdminCredential = {
      id: `adm_${randomBase62(16)}`,
      name,
      role,
      prefix: credential.slice(0, 12),
      createdAt: new Date().toISOString(),
    };
    const hash = hashApiKey(credential);
    // One key per step (they lie in different Redis Cluster slots), indexes first: a crash
    // part way leaves index entries that resolve to nothing, never a credential that works
    // but cannot be listed or revoked. The credential is shown only once all are written.
    await this.redis.sadd(this.keys.adminCredentials(), record.id);
    await this.redis.set(this.keys.adminCredentialById(record.id), hash);
    await this.redis.set(this.keys.adminCredential(hash), JSON.stringify(record));
    return { credential, record };
  }

  async list(): Promise<StoredAdminCredential[]> {
    const ids = await this.redis.smembers(this.keys.adminCredentials());
    const hashes = await getMany(
      this.redis,
      ids.map((id) => this.keys.adminCredentialById(id)),
    );
    const raws = await Promise.all(
      hashes.map((h) => (h ? this.redis.get(this.keys.adminCredential(h)) : Promise.resolve(null))),
    );
    return raws
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as StoredAdminCredential);
  }

  async revoke(id: string): Promise<boolean> {
    const hash = await this.redis.get(this.keys.adminCredentialById(id));
    if (!hash) return false;
    // The credential stops working first; the indexes go after (a retry finishes them).
    await this.redis.del(this.keys.adminCredential(hash));
    await this.redis.srem(this.keys.adminCredentials(), id);
    await this.redis.del(this.keys.adminCredentialById(id));
    return true;
  }

  /** The admin behind a presented credential, or null. Not cached: revocation is immediate. */
  async authenticate(presented: string): Promise<AdminPrincipal | null> {
    if (this.bootstrap && safeEqual(presented, this.bootstrap)) {
      return { id: 'bootstrap', name: 'GATEWAY_ADMIN_KEY', role: 'admin' };
    }
    if (!FORMAT.test(presented)) return null;
    const raw = await this.redis.get(this.keys.adminCredential(hashApiKey(presented)));
    if (!raw) return null;
    const r = JSON.parse(raw) as StoredAdminCredential;
    return { id: r.id, name: r.name, role: r.role };
  }
}
