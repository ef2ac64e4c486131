import type { JobRecord, JobRequest } from '@gateway/contracts';
import type { ResponseCache } from '../cache/response-cache';
import type { JobObserver } from './process-job.usecase';

/** Stores a result in the response cache when the job asked for it (request or route). */
export class CacheObserver implements JobObserver {
  constructor(private readonly cache: ResponseCache) {}

  async onSucceeded(record: JobRecord, request: JobRequest): Promise<void> {
    const ttl = request.cache?.ttlSeconds;
    if (!ttl || record.output === null) return;
    const key = this.cache.key(record.tenantId, record.route.deployment, request);
    await this.cache.set(
      key,
      { output: record.output as never, deployment: record.route.deployment },
      ttl,
    );
  }
}
