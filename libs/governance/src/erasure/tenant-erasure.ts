import type { Keys } from '@gateway/queue';
import type { BlobStore } from '@gateway/storage';
import type { Redis } from 'ioredis';
import type { GovKeys } from '../gov-keys';

export interface ErasureReport {
  readonly tenantId: string;
  readonly jobs: number;
  readonly blobs: number;
  readonly idempotencyKeys: number;
  /** Response cache entries (outputs) of the tenant. */
  readonly cacheEntries: number;
}

const PAGE = 200;
const MAX_JOBS = 1_000_000;

const blobRef = (json: string | null): string | null => {
  if (!json || !json.includes('"$blob"')) return null;
  try {
    const v = JSON.parse(json) as { $blob?: unknown; output?: { $blob?: unknown } };
    const ref = v.$blob ?? v.output?.$blob;
    return typeof ref === 'string' ? ref : null;
  } catch {
    return null;
  }
};

/**
 * Erases what the gateway stores about a tenant's jobs: records, requests, outputs (Redis
 * and blob store), stream deltas, pseudonym mappings, idempotency keys and response cache
 * entries. The tenant, its keys and its usage counters (no payloads) stay. Runs in pages,
 * so it is bounded in memory.
 */
export class TenantErasure {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly govKeys: GovKeys,
    private readonly blobs: BlobStore,
  ) {}

  async erase(tenantId: string): Promise<ErasureReport> {
    const index = this.keys.tenantJobs(tenantId);
    let jobs = 0;
    let blobs = 0;
    while (jobs < MAX_JOBS) {
      const ids = await this.redis.zrange(index, '0', String(PAGE - 1));
      if (ids.length === 0) break;
      const pipe = this.redis.pipeline();
      for (const id of ids) pipe.hget(this.keys.job(id), 'data').get(this.keys.request(id));
      const rows = (await pipe.exec()) ?? [];
      const refs = rows
        .map((r) => blobRef(r?.[1] as string | null))
        .filter((r): r is string => !!r);
      for (const ref of refs) {
        await this.blobs.delete(ref).catch(() => undefined);
        blobs++;
      }
      const del = this.redis.pipeline();
      for (const id of ids) {
        del.del(
          this.keys.job(id),
          this.keys.request(id),
          this.keys.deltas(id),
          this.govKeys.pseudonyms(id),
        );
      }
      del.zrem(index, ...ids);
      await del.exec();
      jobs += ids.length;
    }
    const idempotencyKeys = await this.deleteMatching(this.keys.idempotency(tenantId, '*'));
    const cacheEntries = await this.deleteMatching(`${this.keys.prefix}:{t:${tenantId}}:cache:*`);
    return { tenantId, jobs, blobs, idempotencyKeys, cacheEntries };
  }

  /** Deletes the keys matching a pattern (bounded scan); how many there were. */
  private async deleteMatching(match: string): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      if (found.length) deleted += await this.redis.del(...found);
      cursor = next;
      if (cursor === '0') break;
    }
    return deleted;
  }
}
