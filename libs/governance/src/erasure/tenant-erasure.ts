import type { Keys } from '@gateway/queue';
import { deleteKeys, scanKeys, type BlobStore, type RedisClient as Redis } from '@gateway/storage';
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
      // A job's keys share its shard's tag; jobs differ, so one command per key (auto-
      // pipelined per Redis Cluster node, one round trip on a single server).
      const rows = await Promise.all(
        ids.flatMap((id) => [
          this.redis.hget(this.keys.job(id), 'data'),
          this.redis.get(this.keys.request(id)),
        ]),
      );
      const refs = rows.map((r) => blobRef(r)).filter((r): r is string => !!r);
      for (const ref of refs) {
        await this.blobs.delete(ref).catch(() => undefined);
        blobs++;
      }
      await Promise.all(
        ids.map((id) =>
          this.redis.del(
            this.keys.job(id),
            this.keys.request(id),
            this.keys.deltas(id),
            this.govKeys.pseudonyms(id),
          ),
        ),
      );
      await this.redis.zrem(index, ...ids);
      jobs += ids.length;
    }
    const idempotencyKeys = await this.deleteMatching(this.keys.idempotencyPattern(tenantId));
    const cacheEntries = await this.deleteMatching(`${this.keys.prefix}:{t:${tenantId}}:cache:*`);
    return { tenantId, jobs, blobs, idempotencyKeys, cacheEntries };
  }

  /** Deletes the keys matching a pattern (bounded scan of every master); how many there were. */
  private async deleteMatching(match: string): Promise<number> {
    let deleted = 0;
    await scanKeys(this.redis, match, async (found) => {
      deleted += await deleteKeys(this.redis, found);
    });
    return deleted;
  }
}
