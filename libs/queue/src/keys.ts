import { createHash } from 'node:crypto';
import { randomId } from '@gateway/observability';

/**
 * Redis key layout. A job's record, request and the outbox entries written with it share a
 * hash tag (the job's shard), so the one transaction that stores a result stays in one slot
 * on Redis Cluster. The shard is encoded in the job id's last character.
 */
export const SHARDS = 8;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A new job id: time-ordered, 72 random bits, and its shard as the last character (random,
 * or the one given: see `idempotencyShard`).
 */
export function newJobId(now = Date.now(), shard?: number): string {
  const bytes = randomId(10);
  const rand = bytes.subarray(1).toString('base64url').replace(/[-_]/g, 'x');
  return `job_${now.toString(36)}${rand}${ALPHABET[shard ?? bytes[0] % SHARDS]}`;
}

/**
 * The shard of a job submitted with an Idempotency-Key: fixed by the tenant and the key, so
 * the key's record lies in the same hash slot as the job it names and one script claims the
 * key and stores the job (Redis Cluster refuses a script across slots).
 */
export function idempotencyShard(tenantId: string, key: string): number {
  return createHash('sha256').update(`${tenantId}\n${key}`).digest()[0] % SHARDS;
}

export function shardOf(jobId: string): number {
  const n = ALPHABET.indexOf(jobId.charAt(jobId.length - 1));
  return n < 0 ? 0 : n % SHARDS;
}

export function isJobId(s: string): boolean {
  return /^job_[a-z0-9]{6,12}[A-Za-z0-9x]{12}[0-9a-z]$/.test(s);
}

export class Keys {
  constructor(readonly prefix: string) {}

  /** HASH {status, data}: the job record. */
  job(id: string): string {
    return `${this.prefix}:{s${shardOf(id)}}:job:${id}`;
  }
  /** The stored request (JSON, or a blob reference). */
  request(id: string): string {
    return `${this.prefix}:{s${shardOf(id)}}:req:${id}`;
  }
  /** Cached provider result of an attempt, so a model is never called twice for one result. */
  outbox(shard: number): string {
    return `${this.prefix}:{s${shard}}:outbox`;
  }
  /** Stream of a streamed chat job's token deltas (SSE and the OpenAI façade read it). */
  deltas(id: string): string {
    return `${this.prefix}:{s${shardOf(id)}}:deltas:${id}`;
  }
  /** The pseudonym mapping of a job (governance writes it; shares the job's shard tag). */
  pseudonyms(id: string): string {
    return `${this.prefix}:{s${shardOf(id)}}:pii:${id}`;
  }
  /**
   * Delivery tracking of a job whose payloads go once delivered: SET of webhook deliveries
   * still open, SET of those ended, and the flag (its value: grace seconds) set once the
   * result event is on Kafka.
   */
  deliveriesOpen(id: string): string {
    return `${this.prefix}:{s${shardOf(id)}}:dlv:open:${id}`;
  }
  deliveriesEnded(id: string): string {
    return `${this.prefix}:{s${shardOf(id)}}:dlv:ended:${id}`;
  }
  resultRelayed(id: string): string {
    return `${this.prefix}:{s${shardOf(id)}}:dlv:relayed:${id}`;
  }
  /** ZSET jobId → when its payloads are due to be dropped (ms), per shard. */
  payloadDropDue(shard: number): string {
    return `${this.prefix}:{s${shard}}:dropdue`;
  }
  /** The job an Idempotency-Key names; in the shard `idempotencyShard` gives the pair. */
  idempotency(tenantId: string, key: string): string {
    return `${this.prefix}:{s${idempotencyShard(tenantId, key)}}:idem:${tenantId}:${key}`;
  }
  /** The SCAN pattern of a tenant's idempotency keys, across every shard. */
  idempotencyPattern(tenantId: string): string {
    return `${this.prefix}:{s*}:idem:${globEscape(tenantId)}:*`;
  }
  tenantJobs(tenantId: string): string {
    return `${this.prefix}:{t:${tenantId}}:jobs`;
  }
  /** Pub/sub channel for a job's status changes (long-poll, SSE). */
  jobEvents(id: string): string {
    return `${this.prefix}:jobev:${id}`;
  }
  /** Pub/sub channel told of each entry appended to a job's delta stream (SSE wakes on it). */
  jobDeltaEvents(id: string): string {
    return `${this.prefix}:jobdelta:${id}`;
  }
  /** Pub/sub channel asking workers to abort a running job. */
  cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }
  /** BullMQ prefix. Queue names carry their own hash tag. */
  bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
  apiKey(hash: string): string {
    return `${this.prefix}:apikey:${hash}`;
  }
  apiKeyById(id: string): string {
    return `${this.prefix}:apikeyid:${id}`;
  }
  tenant(id: string): string {
    return `${this.prefix}:tenant:${id}`;
  }
  tenants(): string {
    return `${this.prefix}:tenants`;
  }
  keyInvalidation(): string {
    return `${this.prefix}:keys:invalidate`;
  }
}

/** One BullMQ queue per deployment; the braces make each queue its own cluster slot. */
export function queueNameFor(deploymentId: string): string {
  return `{dep-${deploymentId}}`;
}

/** `s` with SCAN/KEYS glob characters escaped, to match it literally. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

export function newRequestId(): string {
  return `req_${randomId(8).toString('hex')}`;
}
