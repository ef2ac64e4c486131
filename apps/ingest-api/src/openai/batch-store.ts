import { getMany } from '@gateway/storage';
import type { GatewayContext } from '@gateway/platform';
import type { BatchEndpoint } from './batch-lines';
import { OpenAiHttpError } from './openai-error';

export type BatchStatus =
  | 'validating'
  | 'failed'
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'expired'
  | 'cancelling'
  | 'cancelled';

export const FINAL_STATUSES: ReadonlySet<BatchStatus> = new Set([
  'failed',
  'completed',
  'expired',
  'cancelled',
]);

/** OpenAI's batch object as stored, plus what the runner needs to act for the tenant. */
export interface StoredBatch {
  id: string;
  object: 'batch';
  endpoint: BatchEndpoint;
  errors: { object: 'list'; data: { code: string; message: string; line: number | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  metadata: Record<string, string> | null;
  tenantId: string;
  keyId: string;
  scopes: string[];
  /** Input lines handed to the queue so far, and the byte offset of the next one. */
  cursor: number;
  offset: number;
}

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/**
 * Batches in Redis. The batch object changes rarely (status moves); live counts and the jobs
 * in flight sit in their own keys so the runner updates them without rewriting the object.
 */
export class BatchStore {
  constructor(readonly ctx: GatewayContext) {}

  /**
   * A key of one batch. Every key of a batch shares the batch's hash tag, so the object, its
   * counts, its parts and its cancel request are read and written together in one Redis
   * Cluster slot (output parts and counts move in one transaction).
   */
  private k(kind: string, id: string): string {
    return `${this.ctx.keys.prefix}:oai:{${id}}:${kind}`;
  }
  batchKey = (id: string) => this.k('batch', id);
  countsKey = (id: string) => this.k('bcount', id);
  inflightKey = (id: string) => this.k('binfl', id);
  partsKey = (id: string, kind: 'out' | 'err') => this.k(`bparts-${kind}`, id);
  lockKey = (id: string) => this.k('block', id);
  cancelKey = (id: string) => this.k('bcancel', id);
  activeKey = () => `${this.ctx.keys.prefix}:oai:batches-active`;
  indexKey = (tenantId: string) => `${this.ctx.keys.prefix}:oai:batches:${tenantId}`;

  async create(b: StoredBatch, total: number): Promise<void> {
    await this.ctx.redis
      .multi()
      .set(this.batchKey(b.id), JSON.stringify(b))
      .hset(this.countsKey(b.id), { total, completed: 0, failed: 0 })
      .exec();
    // The tenant's index and the runner's set lie in other slots: listed first, run last.
    await this.ctx.redis.zadd(this.indexKey(b.tenantId), Date.now(), b.id);
    await this.ctx.redis.sadd(this.activeKey(), b.id);
  }

  /**
   * The batch, with a pending cancel applied: the cancel request is its own key so that a
   * runner saving progress at the same moment cannot overwrite it.
   */
  async load(id: string): Promise<StoredBatch | null> {
    if (!/^batch_[A-Za-z0-9]{1,40}$/.test(id)) return null;
    const [raw, cancelAt] = await this.ctx.redis.mget(this.batchKey(id), this.cancelKey(id));
    if (!raw) return null;
    const b = JSON.parse(raw) as StoredBatch;
    if (cancelAt && (b.status === 'validating' || b.status === 'in_progress')) {
      b.status = 'cancelling';
      b.cancelling_at = Number(cancelAt);
    }
    return b;
  }

  async requestCancel(id: string, at: number): Promise<void> {
    await this.ctx.redis.set(this.cancelKey(id), String(at), 'EX', 8 * 86400, 'NX');
  }

  /** The tenant's batch, or 404. */
  async get(tenantId: string, id: string): Promise<StoredBatch> {
    const b = await this.load(id);
    if (!b || b.tenantId !== tenantId)
      throw new OpenAiHttpError(
        404,
        'invalid_request_error',
        'not_found',
        `No such batch: ${id}`,
        'batch_id',
      );
    return b;
  }

  async save(b: StoredBatch): Promise<void> {
    await this.ctx.redis.set(this.batchKey(b.id), JSON.stringify(b));
  }

  async counts(id: string): Promise<RequestCounts> {
    const h = await this.ctx.redis.hgetall(this.countsKey(id));
    return {
      total: Number(h.total ?? 0),
      completed: Number(h.completed ?? 0),
      failed: Number(h.failed ?? 0),
    };
  }

  async list(tenantId: string, limit: number, after?: string): Promise<StoredBatch[]> {
    let start = 0;
    if (after) {
      const rank = await this.ctx.redis.zrevrank(this.indexKey(tenantId), after);
      start = rank === null ? 0 : rank + 1;
    }
    const ids = await this.ctx.redis.zrevrange(this.indexKey(tenantId), start, start + limit - 1);
    if (!ids.length) return [];
    const raws = await getMany(
      this.ctx.redis,
      ids.map((i) => this.batchKey(i)),
    );
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as StoredBatch);
  }

  /** The batch as clients see it, with live counts. */
  async view(b: StoredBatch) {
    const { tenantId: _t, keyId: _k, scopes: _s, cursor: _c, offset: _o, ...pub } = b;
    return { ...pub, request_counts: await this.counts(b.id) };
  }
}
