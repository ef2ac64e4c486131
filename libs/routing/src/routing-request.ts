import type { JobRequest } from '@gateway/contracts';
import { scoreComplexity, type CascadeTuning } from './cascade';
import { estimateTokens, requestTraits } from './tokens';
import type { RoutingRequest } from './types';

/**
 * Builds the routing view of a job once at ingest: token counts, traits, complexity score,
 * the job's `model`, `routing.*` and metadata. `stickyKey` should be a session or user key
 * when one exists, else the job id, so `weighted` stays deterministic per job.
 */
export function toRoutingRequest(
  job: JobRequest,
  options: { stickyKey?: string; cascade?: CascadeTuning; now?: number } = {},
): RoutingRequest {
  const tokens = estimateTokens(job);
  const traits = requestTraits(job);
  return {
    task: job.task,
    model: job.model,
    strategy: job.routing?.strategy,
    maxCostUsd: job.routing?.maxCostUsd,
    ...(job.routing?.deadline !== undefined
      ? { timeLeftMs: Date.parse(job.routing.deadline) - (options.now ?? Date.now()) }
      : {}),
    metadata: job.metadata,
    inputTokens: tokens.inputTokens,
    maxOutputTokens: tokens.maxOutputTokens,
    hasImages: traits.hasImages,
    imageCount: traits.imageCount,
    needsJson: traits.needsJson,
    needsTools: traits.needsTools,
    complexity: scoreComplexity(job, options.cascade).score,
    stickyKey: options.stickyKey,
  };
}
