import { PROVIDER_CLASSES, RoutingStrategy, TASK_NAMES } from '@gateway/contracts';
import { z } from 'zod';

const Id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'letters, digits, ".", "_" or "-"');

/** Latency of the local provider: fixed ms or a normal distribution. */
const LatencySpec = z.union([
  z.number().min(0),
  z.strictObject({ meanMs: z.number().min(0), stddevMs: z.number().min(0).default(0) }),
]);

/** Fault and load injection for the `local` provider (load and fault tests). */
export const LocalSimulation = z.strictObject({
  latencyMs: LatencySpec.optional(),
  /** Share of calls answering 429 with Retry-After. */
  rateLimitRate: z.number().min(0).max(1).default(0),
  retryAfterMs: z.number().int().min(0).default(1000),
  /** Share of calls answering 500. */
  serverErrorRate: z.number().min(0).max(1).default(0),
  /** Share of calls answering 503. */
  overloadedRate: z.number().min(0).max(1).default(0),
  /** Share of calls that hang until the caller's timeout. */
  hangRate: z.number().min(0).max(1).default(0),
  /** Hidden capacity: concurrent calls beyond it answer 429; latency rises with load. */
  capacity: z.number().int().min(1).optional(),
  /** Extra latency per concurrent call in flight, as a share of the base latency. */
  loadLatencyFactor: z.number().min(0).default(0),
});
export type LocalSimulation = z.infer<typeof LocalSimulation>;

export const ProviderConfig = z.strictObject({
  id: Id,
  type: z.string().min(1),
  baseUrl: z.url().optional(),
  apiKey: z.string().optional(),
  /** Several keys used in turn; a key answering 401 is set aside. */
  apiKeys: z.array(z.string().min(1)).optional(),
  apiVersion: z.string().optional(),
  region: z.string().optional(),
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
  sessionToken: z.string().optional(),
  timeoutMs: z.number().int().min(1).max(600_000).default(60_000),
  maxConnections: z.number().int().min(1).max(4096).default(128),
  headers: z.record(z.string(), z.string()).optional(),
});
export type ProviderConfig = z.infer<typeof ProviderConfig>;

export const Price = z.strictObject({
  inputPerMTok: z.number().min(0).optional(),
  outputPerMTok: z.number().min(0).optional(),
  perCall: z.number().min(0).optional(),
  perImage: z.number().min(0).optional(),
});
export type Price = z.infer<typeof Price>;

/** Adaptive concurrency (AIMD with a remembered ceiling), shared by every worker replica. */
export const AdaptiveLimit = z.strictObject({
  /** Off: the limit stays at maxConcurrency (a static distributed limit). */
  enabled: z.boolean().default(true),
  min: z.number().int().min(1).default(1),
  initial: z.number().int().min(1).default(4),
  /** Latency above baseline × this is treated as congestion. */
  latencyTolerance: z.number().min(1.1).default(2.5),
  /** Near the last safe ceiling, grow one slot per this many windows of successes. */
  probeEvery: z.number().int().min(1).default(64),
  /** The ceiling learnt from a 429 is forgotten after this long, so capacity gains are found. */
  ceilingTtlMs: z.number().int().min(1000).default(30_000),
  /** Multiplicative decrease on overload (503, 529, timeouts, latency). */
  backoff: z.number().min(0.1).max(0.99).default(0.8),
});
export type AdaptiveLimit = z.infer<typeof AdaptiveLimit>;

/** Per-deployment circuit breaker: consecutive failures open it; probes close it. */
export const BreakerConfig = z.strictObject({
  failureThreshold: z.number().int().min(1).default(5),
  openMs: z.number().int().min(100).default(5000),
  halfOpenProbes: z.number().int().min(1).default(1),
});
export type BreakerConfig = z.infer<typeof BreakerConfig>;

export const DeploymentConfig = z.strictObject({
  id: Id,
  provider: Id,
  model: z.string().min(1),
  class: z.enum(PROVIDER_CLASSES),
  tasks: z.array(z.enum(TASK_NAMES as [string, ...string[]])).min(1),
  region: z.string().default('global'),
  aliases: z.array(z.string()).default([]),
  price: Price.prefault({}),
  limits: z
    .strictObject({
      rpm: z.number().int().min(1).optional(),
      tpm: z.number().int().min(1).optional(),
      maxConcurrency: z.number().int().min(1).max(4096).default(16),
      /** Waiting jobs past which ingest answers 503 queue_full (default jobs.maxQueuedPerDeployment). */
      maxQueued: z.number().int().min(1).optional(),
      adaptive: AdaptiveLimit.optional(),
    })
    .prefault({}),
  breaker: BreakerConfig.optional(),
  contextWindow: z.number().int().min(1).default(128_000),
  maxOutputTokens: z.number().int().min(1).default(4096),
  capabilities: z.array(z.enum(['images', 'tools', 'json', 'streaming'])).default([]),
  /** Attempts on this deployment before falling back. */
  attempts: z.number().int().min(1).max(20).default(3),
  simulate: LocalSimulation.optional(),
});
export type DeploymentConfig = z.infer<typeof DeploymentConfig>;

/** What the gateway does with PII in a job's input (see libs/governance). */
export const PiiMode = z.enum(['off', 'redact', 'mask', 'block', 'pseudonymise']);
export type PiiMode = z.infer<typeof PiiMode>;
/**
 * What it does with PII in a model's output before it is stored: `block` fails the job.
 * Pseudonymising an output would hand the client placeholders it never sent, so it is not
 * offered.
 */
export const PiiOutputMode = z.enum(['off', 'redact', 'mask', 'block'], {
  error: 'use off, redact, mask or block (pseudonymise applies to inputs only)',
});
export type PiiOutputMode = z.infer<typeof PiiOutputMode>;

export const RouteConfig = z.strictObject({
  match: z.strictObject({
    task: z.enum(TASK_NAMES as [string, ...string[]]).optional(),
    model: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
  strategy: RoutingStrategy.default('priority'),
  targets: z.array(Id).min(1),
  weights: z.array(z.number().min(0)).optional(),
  fallbackOnNonRetryable: z.boolean().default(false),
  cache: z.strictObject({ ttlSeconds: z.number().int().min(1) }).optional(),
  /** PII policy on the inputs of the jobs this route matches (overrides the tenant's). */
  pii: PiiMode.optional(),
  /** PII policy on their outputs (overrides the tenant's `piiOutput`). */
  piiOutput: PiiOutputMode.optional(),
});
export type RouteConfig = z.infer<typeof RouteConfig>;

export const TenantConfig = z.strictObject({
  id: Id,
  name: z.string().optional(),
  region: z.string().optional(),
  budgets: z
    .strictObject({
      dailyUsd: z.number().min(0).optional(),
      monthlyUsd: z.number().min(0).optional(),
    })
    .optional(),
  limits: z
    .strictObject({
      rpm: z.number().int().min(1).optional(),
      tpm: z.number().int().min(1).optional(),
      maxQueued: z.number().int().min(1).optional(),
    })
    .optional(),
  models: z.array(z.string()).optional(),
  pii: PiiMode.default('off'),
  piiOutput: PiiOutputMode.default('off'),
  /**
   * Inputs and outputs are kept for the retention window by default; with
   * `dropPayloadsOnDelivery` they are dropped `graceSeconds` after the job is delivered (its
   * result event acknowledged by Kafka and every webhook delivered or dead).
   */
  privacy: z
    .strictObject({
      dropPayloadsOnDelivery: z.boolean().default(false),
      graceSeconds: z.number().int().min(0).max(86_400).default(30),
    })
    .optional(),
  weight: z.number().min(0.01).max(1000).default(1),
});
export type TenantConfig = z.infer<typeof TenantConfig>;

const Weight = z.number().min(0).optional();

/**
 * Tunes the `cascade` strategy's complexity score (libs/routing README, "Cascade
 * complexity"): feature weights (unset ones keep their defaults) and the threshold at or
 * above which a job leaves the cheapest tier (default 0.35).
 */
export const CascadeConfig = z.strictObject({
  threshold: z.number().min(0).max(1).optional(),
  weights: z
    .strictObject({
      length: Weight,
      code: Weight,
      reasoning: Weight,
      steps: Weight,
      constraints: Weight,
      output: Weight,
      schema: Weight,
    })
    .refine((w) => Object.keys(w).length < 7 || Object.values(w).some((v) => v !== 0), {
      message: 'all seven weights are 0, so every job would score 0; give one a weight above 0',
    })
    .optional(),
});
export type CascadeConfig = z.infer<typeof CascadeConfig>;

export const GatewayConfig = z.strictObject({
  providers: z.array(ProviderConfig).default([]),
  deployments: z.array(DeploymentConfig).default([]),
  routes: z.array(RouteConfig).default([]),
  tenants: z.array(TenantConfig).default([]),
  /** Routing engine settings shared by every route. */
  routing: z.strictObject({ cascade: CascadeConfig.prefault({}) }).prefault({}),
  webhooks: z
    .strictObject({
      allowHosts: z.array(z.string()).default([]),
      timeoutMs: z.number().int().min(100).default(10_000),
      /** Delays between attempts, in seconds. */
      schedule: z.array(z.number().min(0)).default([5, 300, 1800, 7200, 18000, 36000]),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      retentionDays: z.number().min(0.0001).default(7),
      idempotencyTtlHours: z.number().min(0.001).default(24),
      maxWaitSeconds: z.number().int().min(1).max(60).default(60),
      /** Inputs and outputs larger than this go to the blob store. */
      inlineMaxBytes: z
        .number()
        .int()
        .min(1024)
        .default(64 * 1024),
      maxQueuedPerDeployment: z.number().int().min(1).default(100_000),
      backoffMs: z.number().int().min(1).default(1000),
      shutdownGraceMs: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
  /** Downstream and upstream backpressure bounds. */
  backpressure: z
    .strictObject({
      /** Outbox (Kafka) backlog past which workers stop taking jobs... */
      outboxHighWater: z.number().int().min(1).default(50_000),
      /** ...until it drains below this. */
      outboxLowWater: z.number().int().min(0).default(10_000),
      /** Waiting jobs of one tenant on one deployment (a tenant's own limits.maxQueued wins). */
      maxQueuedPerTenant: z.number().int().min(1).optional(),
    })
    .prefault({}),
  kafka: z
    .strictObject({
      topics: z
        .strictObject({
          requests: z.string().default('ai.requests.v1'),
          requestsDlq: z.string().default('ai.requests.dlq.v1'),
          results: z.string().default('ai.results.v1'),
          audit: z.string().default('ai.audit.v1'),
        })
        .prefault({}),
      partitions: z.number().int().min(1).default(6),
      /** Outbox entries another dispatcher took but never acknowledged (it died) are taken over after this. */
      relayClaimIdleMs: z.number().int().min(1000).default(30_000),
      /**
       * How long the relay lets events gather before a produce request (0: send at once).
       * Kafka's cost is mostly per request, so a few milliseconds buy much larger batches.
       */
      relayLingerMs: z.number().int().min(0).max(1000).default(5),
    })
    .prefault({}),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
