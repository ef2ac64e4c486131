import type { LoadedConfig, TenantConfig } from '@gateway/config';
import { TenantConfig as TenantSchema } from '@gateway/config';
import type { Keys } from '@gateway/queue';
import type { RedisClient as Redis } from '@gateway/storage';

/**
 * Tenants: those declared in gateway.yaml exist already; others are created through the
 * admin API and live in Redis.
 */
export class TenantStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly config: () => LoadedConfig,
  ) {}

  async get(id: string): Promise<TenantConfig | null> {
    const declared = this.config().tenantById.get(id);
    if (declared) return declared;
    const raw = await this.redis.get(this.keys.tenant(id));
    return raw ? TenantSchema.parse(JSON.parse(raw)) : null;
  }

  /** Creates a tenant; false when the id is taken (declared or stored). */
  async create(t: TenantConfig): Promise<boolean> {
    if (this.config().tenantById.has(t.id)) return false;
    const ok = await this.redis.set(this.keys.tenant(t.id), JSON.stringify(t), 'NX');
    if (ok !== 'OK') return false;
    await this.redis.sadd(this.keys.tenants(), t.id);
    return true;
  }

  /**
   * Replaces a stored tenant's policy. Tenants declared in gateway.yaml are changed in the
   * file instead: 'declared'. 'missing' when there is no such tenant.
   */
  async update(t: TenantConfig): Promise<'ok' | 'declared' | 'missing'> {
    if (this.config().tenantById.has(t.id)) return 'declared';
    const ok = await this.redis.set(this.keys.tenant(t.id), JSON.stringify(t), 'XX');
    return ok === 'OK' ? 'ok' : 'missing';
  }

  async list(): Promise<TenantConfig[]> {
    const ids = await this.redis.smembers(this.keys.tenants());
    const stored = await Promise.all(ids.map((id) => this.get(id)));
    const declared = [...this.config().tenantById.values()];
    return [
      ...declared,
      ...stored.filter((t): t is TenantConfig => !!t && !this.config().tenantById.has(t.id)),
    ];
  }
}
