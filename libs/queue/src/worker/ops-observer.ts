import type { JobRecord } from '@gateway/contracts';
import type { ProviderError } from '@gateway/providers';
import type { OpsStore } from '../ops/ops-store';
import type { JobObserver } from './process-job.usecase';

/** Feeds the ops page: recent calls per deployment and the index of failed jobs. */
export class OpsObserver implements JobObserver {
  constructor(private readonly ops: OpsStore) {}

  async onProviderCall(
    deploymentId: string,
    latencyMs: number,
    error: ProviderError | null,
  ): Promise<void> {
    // Cancellation and rate-limit pauses are not calls that answered.
    if (error?.code === 'rate_limited' || error?.code === 'cancelled') return;
    await this.ops.recordCall(deploymentId, latencyMs, error === null);
  }

  async onFailed(record: JobRecord): Promise<void> {
    await this.ops.recordFailure(record);
  }
}
