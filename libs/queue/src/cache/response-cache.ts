import { createHash } from 'node:crypto';
import type { AnyTaskOutput, JobRequest } from '@gateway/contracts';
import type { RedisClient as Redis } from '@gateway/storage';
import type { Keys } from '../keys';

/** Stable JSON (sorted keys), so equal requests serialise equally whatever their key order. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v);
}

export interface CachedResult {
  readonly output: AnyTaskOutput;
  readonly deployment: string;
}

/**
 * Exact-match response cache: keyed by tenant + normalised request (task and input) + target
 * deployment + output PII policy, so it is never shared across tenants, models or policies.
 * Opt-in per route or request. The key and the value are the stored forms: a pseudonymised
 * input with its placeholders, and the output before any job's own values were put back,
 * so each job that hits restores its own values and no other job's.
 */
export class ResponseCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  key(
    tenantId: string,
    deploymentId: string,
    request: Pick<JobRequest, 'task' | 'input'>,
    outputPolicy = 'off',
  ): string {
    const digest = createHash('sha256')
      .update(
        stableStringify({
          task: request.task,
          input: request.input,
          deployment: deploymentId,
          // Absent for 'off', so entries written before output policies existed still match.
          ...(outputPolicy !== 'off' ? { outputPolicy } : {}),
        }),
      )
      .digest('base64url');
    return `${this.keys.prefix}:{t:${tenantId}}:cache:${digest}`;
  }

  async get(key: string): Promise<CachedResult | null> {
    const raw = await this.redis.get(key);
    return raw ? (JSON.parse(raw) as CachedResult) : null;
  }

  async set(key: string, value: CachedResult, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
  }
}
