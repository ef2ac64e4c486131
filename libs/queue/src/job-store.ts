import { JobRecord, JobRequest, type JobStatus, type OutboxEntry } from '@gateway/contracts';
import type { BlobStore, RedisClient as Redis } from '@gateway/storage';
import { CREATE_JOB, TRANSITION_JOB } from './job-store.scripts';
import { idempotencyShard, Keys, shardOf } from './keys';
import { flattenEntries } from './outbox-entry';

interface BlobRef {
  $blob: string;
}
const isBlobRef = (v: unknown): v is BlobRef =>
  !!v && typeof v === 'object' && typeof (v as BlobRef).$blob === 'string';

interface Sealed {
  $enc: string;
}
const isSealed = (v: unknown): v is Sealed =>
  !!v && typeof v === 'object' && typeof (v as Sealed).$enc === 'string';

/**
 * Encryption of stored payloads (requests and outputs) at rest; the governance payload
 * cipher (AES-256-GCM) fits it. The context binds a payload to its job and role.
 */
export interface PayloadSealer {
  encrypt(plaintext: string, context?: string): string;
  decrypt(payload: string, context?: string): Buffer;
}

export interface JobStoreOptions {
  /** How long terminal records are kept. */
  readonly retentionSec: number;
  /** Payloads larger than this (bytes of JSON) go to the blob store. */
  readonly inlineMaxBytes: number;
  /** When set, requests and outputs are stored encrypted (GATEWAY_ENCRYPTION_KEY). */
  readonly cipher?: PayloadSealer;
  /**
   * BullMQ's queues send on this store's own connection to one Redis server, so Redis runs a
   * queue write after a store write issued before it (see `create`'s `enqueue`).
   */
  readonly queuesShareConnection?: boolean;
}

export type CreateResult =
  | { readonly created: true }
  | { readonly created: false; readonly jobId: string; readonly sameBody: boolean };

type ScriptRedis = Redis & {
  gwCreateJob(...args: (string | number)[]): Promise<[number, string?]>;
  gwTransitionJob(...args: (string | number)[]): Promise<string>;
};

/**
 * The job store: records, requests and their outbox entries in Redis; large payloads in the
 * blob store. Records outlive BullMQ's own job data and expire after the retention window.
 */
export class JobStore {
  private readonly redis: ScriptRedis;

  constructor(
    redis: Redis,
    readonly keys: Keys,
    private readonly blobs: BlobStore,
    private readonly opts: JobStoreOptions,
  ) {
    if (!('gwCreateJob' in redis)) {
      redis.defineCommand('gwCreateJob', { numberOfKeys: 4, lua: CREATE_JOB });
      redis.defineCommand('gwTransitionJob', { numberOfKeys: 2, lua: TRANSITION_JOB });
    }
    this.redis = redis as ScriptRedis;
  }

  /** Stores a new queued job atomically with its idempotency key and outbox entries. */
  async create(input: {
    record: JobRecord;
    request: JobRequest;
    idempotency?: { key: string; bodyHash: string; ttlSec: number };
    events: readonly OutboxEntry[];
    /**
     * Puts the stored job on its queue. Without an Idempotency-Key and with the queues on
     * this store's connection (`queuesShareConnection`), it is issued right behind the job's
     * write, in the same socket write, and Redis runs it after the job is stored: a worker
     * never takes a job that is not stored yet. Otherwise it runs once the job is stored.
     */
    enqueue?: () => Promise<unknown>;
  }): Promise<CreateResult> {
    const { record } = input;
    const k = this.keys;
    const reqJson = await this.inline(
      this.seal(JSON.stringify(input.request), `req:${record.id}`),
      record,
      'request',
    );
    const idem = input.idempotency;
    if (idem && idempotencyShard(record.tenantId, idem.key) !== shardOf(record.id))
      throw new Error(
        `job ${record.id} is not in its Idempotency-Key's shard; make its id with newJobId(now, idempotencyShard(tenant, key))`,
      );
    // Queued jobs keep their record for the retention window past the longest queue wait.
    const ttl = this.opts.retentionSec * 2;
    const stored = this.redis.gwCreateJob(
      k.job(record.id),
      k.request(record.id),
      k.outbox(shardOf(record.id)),
      idem ? k.idempotency(record.tenantId, idem.key) : k.job(record.id),
      idem ? '1' : '0',
      idem ? `${record.id}|${idem.bodyHash}` : '',
      idem ? idem.ttlSec : 0,
      record.id,
      JSON.stringify(record),
      reqJson,
      ttl,
      input.request.webhook ? '1' : '0',
      ...flattenEntries(input.events),
    );
    // The tenant's index lies in the tenant's slot, not the job's: its entry goes right after the
    // job, in the same write (listing skips ids whose record is gone), and out again when the job
    // was not created (an Idempotency-Key already taken).
    const indexed = this.redis.zadd(
      k.tenantJobs(record.tenantId),
      Date.parse(record.createdAt),
      record.id,
    );
    if (input.enqueue && !idem && this.opts.queuesShareConnection) {
      await Promise.all([stored, indexed, input.enqueue()]);
      return { created: true };
    }
    const [res] = await Promise.all([stored, indexed]);
    if (res[0] === 1) {
      await input.enqueue?.();
      return { created: true };
    }
    await this.redis.zrem(k.tenantJobs(record.tenantId), record.id);
    const [jobId, hash] = String(res[1]).split('|');
    return { created: false, jobId, sameBody: hash === idem?.bodyHash };
  }

  async get(id: string): Promise<JobRecord | null> {
    const data = await this.redis.hget(this.keys.job(id), 'data');
    return data ? this.decode(data) : null;
  }

  /**
   * A record from its stored JSON (as read, or as a terminal transition publishes it): the
   * output fetched from the blob store when it was put there, and decrypted when sealed.
   */
  async decode(data: string): Promise<JobRecord> {
    const record = JSON.parse(data) as JobRecord;
    if (isBlobRef(record.output))
      record.output = JSON.parse((await this.blobs.get(record.output.$blob)).toString());
    record.output = this.unseal(record.output, `out:${record.id}`);
    return record;
  }

  /**
   * Whether each job's request names a webhook, read from the job's own hash (no request
   * read): null for a job stored without that mark (before it existed) or gone, whose
   * request then has to tell.
   */
  async webhookRequested(ids: readonly string[]): Promise<(boolean | null)[]> {
    const marks = await Promise.all(ids.map((id) => this.redis.hget(this.keys.job(id), 'wh')));
    return marks.map((m) => (m === null ? null : m === '1'));
  }

  async getStatus(id: string): Promise<JobStatus | null> {
    return (await this.redis.hget(this.keys.job(id), 'status')) as JobStatus | null;
  }

  async getRequest(id: string): Promise<JobRequest | null> {
    const raw = await this.redis.get(this.keys.request(id));
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    const body: unknown = isBlobRef(parsed)
      ? JSON.parse((await this.blobs.get(parsed.$blob)).toString())
      : parsed;
    return JobRequest.parse(this.unseal(body, `req:${id}`));
  }

  /**
   * Moves a job to `record.status` when its current status is one of `from`, writing the
   * record and outbox entries in one transaction. Returns 'OK', or the status that blocked it
   * ('' when the record is gone).
   */
  async transition(
    from: readonly JobStatus[],
    record: JobRecord,
    events: readonly OutboxEntry[] = [],
  ): Promise<'OK' | JobStatus | ''> {
    const terminal = record.status !== 'queued' && record.status !== 'running';
    const stored = terminal ? await this.outlineOutput(record) : record;
    return (await this.redis.gwTransitionJob(
      this.keys.job(record.id),
      this.keys.outbox(shardOf(record.id)),
      from.join(','),
      record.status,
      JSON.stringify(stored),
      terminal ? this.opts.retentionSec : '',
      this.keys.jobEvents(record.id),
      ...flattenEntries(events),
    )) as 'OK' | JobStatus | '';
  }

  /**
   * Drops a terminal job's payloads: the stored request, the output (in Redis or the blob
   * store), the delta stream and the pseudonym mapping. The record stays, with `output: null`
   * and `policy.payloadsDroppedAt`. False when the record is gone or not terminal.
   */
  async dropPayloads(id: string, at: string): Promise<boolean> {
    const [data, req] = await Promise.all([
      this.redis.hget(this.keys.job(id), 'data'),
      this.redis.get(this.keys.request(id)),
    ]);
    if (!data) return false;
    const record = JSON.parse(data) as JobRecord;
    if (record.status === 'queued' || record.status === 'running') return false;
    for (const v of [record.output, req ? (JSON.parse(req) as unknown) : null]) {
      if (isBlobRef(v)) await this.blobs.delete(v.$blob).catch(() => undefined);
    }
    const dropped: JobRecord = {
      ...record,
      output: null,
      policy: { ...record.policy, payloadsDroppedAt: at },
    };
    await this.redis
      .multi()
      .hset(this.keys.job(id), 'data', JSON.stringify(dropped))
      .del(this.keys.request(id), this.keys.deltas(id), this.keys.pseudonyms(id))
      .exec();
    return true;
  }

  /**
   * Appends one event to a streamed job's delta stream (kept one hour, bounded) and tells
   * listeners on the job's delta channel, in the same round trip.
   */
  async appendDelta(jobId: string, fields: Record<string, string>): Promise<void> {
    const key = this.keys.deltas(jobId);
    await this.redis
      .multi()
      .xadd(key, 'MAXLEN', '~', 20_000, '*', ...Object.entries(fields).flat())
      .expire(key, 3600)
      .publish(this.keys.jobDeltaEvents(jobId), '')
      .exec();
  }

  /** Lists a tenant's jobs, newest first. The cursor is the last item's index score and id. */
  async list(
    tenantId: string,
    q: { status?: JobStatus; limit: number; cursor?: string },
  ): Promise<{ data: JobRecord[]; nextCursor: string | null }> {
    const zkey = this.keys.tenantJobs(tenantId);
    const out: JobRecord[] = [];
    let max = q.cursor ? `(${Number(q.cursor)}` : '+inf';
    let lastScore: string | null = null;
    // Bounded scan: filtering by status may skip items, but never more than 20 pages.
    for (let page = 0; page < 20 && out.length < q.limit; page++) {
      const batch = await this.redis.zrevrangebyscore(
        zkey,
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        0,
        q.limit * 2,
      );
      if (batch.length === 0) {
        lastScore = null;
        break;
      }
      const ids: string[] = [];
      const scores: string[] = [];
      for (let i = 0; i < batch.length; i += 2) {
        ids.push(batch[i]);
        scores.push(batch[i + 1]);
      }
      // Records lie in their shards' slots: one HMGET each, in flight together.
      const rows = await Promise.all(
        ids.map((id) => this.redis.hmget(this.keys.job(id), 'status', 'data')),
      );
      const gone: string[] = [];
      for (let i = 0; i < ids.length && out.length < q.limit; i++) {
        const [status, data] = rows[i] ?? [null, null];
        lastScore = scores[i];
        if (!data) gone.push(ids[i]);
        else if (!q.status || status === q.status) out.push(JSON.parse(data) as JobRecord);
      }
      if (gone.length) await this.redis.zrem(zkey, ...gone);
      max = `(${scores[scores.length - 1]}`;
      if (batch.length < q.limit * 4) {
        if (out.length < q.limit) lastScore = null;
        break;
      }
    }
    for (const r of out) {
      if (isBlobRef(r.output)) r.output = null;
      else r.output = this.unseal(r.output, `out:${r.id}`);
    }
    return { data: out, nextCursor: out.length === q.limit && lastScore ? lastScore : null };
  }

  private async inline(
    json: string,
    record: JobRecord,
    what: 'request' | 'output',
  ): Promise<string> {
    if (Buffer.byteLength(json) <= this.opts.inlineMaxBytes) return json;
    const day = record.createdAt.slice(0, 10);
    const key = `jobs/${day}/${record.id}.${what}.json`;
    await this.blobs.put(key, json);
    return JSON.stringify({ $blob: key } satisfies BlobRef);
  }

  /** JSON as stored: itself, or `{"$enc": ...}` when a cipher is configured. */
  private seal(json: string, context: string): string {
    if (!this.opts.cipher) return json;
    return JSON.stringify({ $enc: this.opts.cipher.encrypt(json, context) } satisfies Sealed);
  }

  private unseal(value: unknown, context: string): unknown {
    if (!isSealed(value)) return value;
    if (!this.opts.cipher)
      throw new Error('A stored payload is encrypted; set GATEWAY_ENCRYPTION_KEY to read it');
    return JSON.parse(this.opts.cipher.decrypt(value.$enc, context).toString('utf8'));
  }

  private async outlineOutput(record: JobRecord): Promise<JobRecord> {
    if (record.output === null || record.output === undefined) return record;
    const json = this.seal(JSON.stringify(record.output), `out:${record.id}`);
    if (this.opts.cipher && Buffer.byteLength(json) <= this.opts.inlineMaxBytes)
      return { ...record, output: JSON.parse(json) as JobRecord['output'] };
    if (Buffer.byteLength(json) <= this.opts.inlineMaxBytes) return record;
    const ref = await this.inline(json, record, 'output');
    return { ...record, output: JSON.parse(ref) };
  }
}
