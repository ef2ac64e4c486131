import type { JobRecord, JobRequest } from '@gateway/contracts';
import type { ResponseCache } from '../cache/response-cache';
import type { JobObserver } from './process-job.usecase';

/**
 * Stores a result in the response cache when the job asked for it (request or route): the
 * shareable form (placeholders, not the job's own pseudonymised values), keyed by the stored
 * request (the input as the PII policy left it).
 */
export class CacheObserver implements JobObserver {
  constructor(private readonly cache: ResponseCache) {}

  async onSucceeded(record: JobRecord, request: JobRequest, shareable: unknown): Promise<void> {
    const ttl = request.cache?.ttlSeconds;
    if (!ttl || shareable === null || shareable === undefined) return;
    // A tenant that drops payloads once delivered keeps none in the cache either.
    if (record.policy.dropAfterDeliverySec !== undefined) return;
    const key = this.cache.key(
      record.tenantId,
      record.route.deployment,
      request,
      record.policy.output,
    );
    await this.cache.set(
      key,
      { output: shareable as never, deployment: record.route.deployment },
      ttl,
    );
  }
}
