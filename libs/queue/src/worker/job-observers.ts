import type { JobRecord, JobRequest } from '@gateway/contracts';
import type { ProviderError } from '@gateway/providers';
import type { ResponseCache } from '../cache/response-cache';
import type { DeploymentStatsStore } from '../stats/deployment-stats';
import type { JobObserver } from './process-job.usecase';

/** Feeds the shared latency and error-rate stats routing reads. */
export class StatsObserver implements JobObserver {
  constructor(private readonly stats: DeploymentStatsStore) {}

  async onProviderCall(
    deploymentId: string,
    latencyMs: number,
    error: ProviderError | null,
  ): Promise<void> {
    // Rate limiting is pacing, not failure: it must not make a deployment look broken.
    if (error?.code === 'rate_limited') return;
    await this.stats.record(deploymentId, latencyMs, error !== null);
  }
}

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
