import type { JobRecord } from '@gateway/contracts';

/** A job record as the submission stores it: queued on `fast-llm`, nothing run yet. */
export const queuedRecord = (id: string): JobRecord => ({
  id,
  tenantId: 'acme',
  task: 'summarize',
  status: 'queued',
  priority: 'normal',
  createdAt: new Date().toISOString(),
  startedAt: null,
  finishedAt: null,
  attempts: 0,
  route: {
    deployment: 'fast-llm',
    provider: 'local',
    model: 'fast',
    reason: 'priority',
    candidates: ['fast-llm'],
    fallbacks: [],
  },
  cached: false,
  output: null,
  error: null,
  usage: null,
  costUsd: null,
  timings: null,
  policy: { redactions: {} },
  metadata: {},
  correlationId: null,
});
