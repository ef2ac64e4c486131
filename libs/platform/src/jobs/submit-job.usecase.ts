import { createHash } from 'node:crypto';
import { JobRequest, type JobRecord, type ApiErrorCode } from '@gateway/contracts';
import { auditEvent, jobAudit } from '@gateway/events';
import { metrics, type AdmissionRejectReason } from '@gateway/observability';
import {
  restorePseudonymsIn,
  scopedStrategies,
  type JobGovernance,
  type Principal,
  type RateLimitState,
  type TenantStore,
} from '@gateway/governance';
import type { GatewayContext } from '../gateway-context';
import { GatewayError } from '../gateway-error';
import { vetWebhookUrl } from '@gateway/webhooks';
import {
  FairAdmission,
  idempotencyShard,
  newJobId,
  ResponseCache,
  stableStringify,
} from '@gateway/queue';
import { completeFromCache } from './complete-from-cache';
import { governed, jobGovernanceFor } from './governed';
import { decide, toRoutingRequest, type LiveStats } from '@gateway/routing';

/** A submission as the HTTP layer (or Kafka ingress) hands it over. */
export interface SubmitJobCommand {
  readonly principal: Principal;
  readonly body: unknown;
  readonly idempotencyKey?: string;
  readonly traceparent?: string;
  /**
   * True when the HTTP layer counted this request against the rpm limits already; else
   * admission counts it together with its tokens (one round trip).
   */
  readonly requestCounted?: boolean;
  /**
   * Keeps the payloads for the retention window even when the tenant drops them on delivery:
   * batch lines are delivered through the batch's output file, which reads them later.
   */
  readonly keepPayloads?: boolean;
}

export type SubmitJobResult = {
  readonly created: boolean;
  readonly record: JobRecord;
  /** The rate limits this submission was counted against (for the x-ratelimit headers). */
  readonly rateLimit?: readonly RateLimitState[];
};

const ROUTING_ERRORS: Record<string, ApiErrorCode> = {
  no_route: 'no_route',
  residency_violation: 'residency_violation',
  model_not_allowed: 'forbidden',
  strategy_not_allowed: 'forbidden',
  unknown_model: 'validation_failed',
  context_length: 'validation_failed',
  cost_limit: 'policy_violation',
  deadline: 'policy_violation',
};

/** The refusals of admission that say "not now" (limits, capacity, budget), as counted. */
const ADMISSION_REFUSALS = new Set<string>(['rate_limited', 'queue_full', 'budget_exceeded']);

/**
 * Counts governance's refusal (a rate limit or the budget) in
 * `gateway_admission_rejected_total`, then passes it on.
 */
async function countedRefusals<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (e) {
    if (e instanceof GatewayError && ADMISSION_REFUSALS.has(e.code)) {
      const reason: AdmissionRejectReason = e.code === 'budget_exceeded' ? 'budget' : 'rate_limit';
      metrics().admissionRejected.inc({ code: e.code, reason });
    }
    throw e;
  }
}

/**
 * Accepts a job: validate, route, store durably (with its idempotency key and the audit
 * event) and enqueue on the chosen deployment's queue. Answers only once the job is in Redis.
 */
export class SubmitJobUseCase {
  private readonly cache: ResponseCache;
  private readonly gov: JobGovernance;
  private readonly backpressure: FairAdmission;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly tenants: TenantStore,
    /** Live numbers for routing (breakers, latency, load), refreshed in the background. */
    private readonly stats: LiveStats,
  ) {
    this.cache = new ResponseCache(ctx.redis, ctx.keys);
    this.gov = jobGovernanceFor(ctx);
    this.backpressure = FairAdmission.for(ctx.redis, ctx.keys);
  }

  async execute(cmd: SubmitJobCommand): Promise<SubmitJobResult> {
    let rateLimit: readonly RateLimitState[] | undefined;
    try {
      return await this.run(cmd, (states) => (rateLimit = states));
    } catch (e) {
      // A refusal after admission answers with the limits the job was counted against.
      if (e instanceof GatewayError && rateLimit) e.rateLimit ??= rateLimit;
      throw e;
    }
  }

  private async run(
    cmd: SubmitJobCommand,
    admitted: (rateLimit: readonly RateLimitState[]) => void,
  ): Promise<SubmitJobResult> {
    const parsed = JobRequest.safeParse(cmd.body);
    if (!parsed.success) {
      throw new GatewayError(
        'validation_failed',
        'The job request is invalid; see details',
        parsed.error.issues
          .slice(0, 20)
          .map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const request = parsed.data;
    if (request.webhook) {
      // Refused here so nothing is stored or enqueued; delivery vets the URL again.
      const vet = await vetWebhookUrl(request.webhook.url, {
        allowHosts: this.ctx.config().webhooks.allowHosts,
      });
      if (!vet.ok)
        throw new GatewayError('invalid_webhook_url', vet.message, [
          { path: 'webhook.url', code: vet.code },
        ]);
    }
    const { principal } = cmd;
    const tenant = await this.tenants.get(principal.tenantId);
    if (!tenant)
      throw new GatewayError(
        'unauthenticated',
        'The key belongs to a tenant that no longer exists',
      );
    const cfg = this.ctx.config();
    const modelScopes = [...principal.scopes]
      .filter((s) => s.startsWith('models:'))
      .map((s) => s.slice(7));
    // With an Idempotency-Key the shard follows the key, so one script claims it and stores
    // the job in one Redis Cluster slot.
    const id = newJobId(
      Date.now(),
      cmd.idempotencyKey === undefined
        ? undefined
        : idempotencyShard(principal.tenantId, cmd.idempotencyKey),
    );
    // Tokens are counted once here, for routing and for the token rate limits alike.
    const { cascade } = cfg.routing;
    const routing = toRoutingRequest(request, { stickyKey: request.correlationId ?? id, cascade });
    // Routing is pure: decided first so the route's PII policy can apply; its refusal still
    // comes after the rate limits, as before.
    const outcome = decide(routing, {
      config: cfg,
      tenant: { id: tenant.id, region: tenant.region, models: tenant.models },
      stats: this.stats,
      allowedModels: modelScopes.length ? modelScopes : undefined,
      allowedStrategies: scopedStrategies(principal.scopes),
      cascade,
    });
    // Governance: rate limits (requests, estimated tokens), the PII policy on the input and
    // the budget: the worst case over the candidates is reserved until the job settles.
    const govInput = {
      principal,
      tenant,
      request,
      jobId: id,
      estimatedTokens: routing.inputTokens + routing.maxOutputTokens,
      countRequest: !cmd.requestCounted,
      traceparent: cmd.traceparent,
      routePii: outcome.ok ? outcome.decision.pii : undefined,
    };
    if (!outcome.ok) {
      // Routing's refusal comes after the rate limits, as before.
      const counted = await countedRefusals(governed(this.gov.admit(govInput)));
      admitted(counted.rateLimit);
      await this.gov.refuseRoute(govInput, counted, outcome.code, outcome.message);
      throw new GatewayError(ROUTING_ERRORS[outcome.code] ?? 'no_route', outcome.message);
    }
    const d = outcome.decision;
    const retentionSec = Math.round(cfg.jobs.retentionDays * 86400);
    const admission = await countedRefusals(
      governed(
        this.gov.admit(govInput, {
          deployment: d.deployment,
          maxCostUsd: d.maxCostUsd,
          retentionSec,
        }),
      ),
    );
    admitted(admission.rateLimit);
    // Backpressure: bounded waiting jobs per deployment and per tenant; the fair-queueing rank.
    const bp = await this.backpressure.admit(
      cfg,
      d.deployment,
      tenant,
      request.priority ?? 'normal',
    );
    if (!bp.ok) {
      await this.gov.release(tenant.id, id);
      const reason = bp.code === 'queue_full' ? 'deployment_queue' : 'tenant_queue';
      metrics().admissionRejected.inc({ code: bp.code, reason });
      throw new GatewayError(bp.code, bp.message, undefined, bp.retryAfterSec);
    }
    const outputPolicy = d.piiOutput ?? tenant.piiOutput;
    const now = new Date().toISOString();
    const record: JobRecord = {
      id,
      tenantId: tenant.id,
      task: request.task,
      status: 'queued',
      priority: request.priority ?? 'normal',
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      attempts: 0,
      route: {
        deployment: d.deployment,
        provider: d.provider,
        model: d.model,
        reason: d.reason,
        candidates: d.candidates,
        fallbacks: [],
        region: d.region,
        ...(d.fallbackOnNonRetryable ? { fallbackOnNonRetryable: true } : {}),
      },
      cached: false,
      output: null,
      error: null,
      usage: null,
      costUsd: null,
      timings: null,
      policy: {
        redactions: admission.redactions,
        ...(admission.pii !== 'off' ? { input: admission.pii } : {}),
        ...(outputPolicy !== 'off' ? { output: outputPolicy } : {}),
        ...(tenant.privacy?.dropPayloadsOnDelivery && !cmd.keepPayloads
          ? { dropAfterDeliverySec: tenant.privacy.graceSeconds }
          : {}),
      },
      metadata: request.metadata ?? {},
      correlationId: request.correlationId ?? null,
    };
    const idem = cmd.idempotencyKey
      ? {
          key: cmd.idempotencyKey,
          bodyHash: createHash('sha256').update(stableStringify(request)).digest('base64url'),
          ttlSec: Math.round(cfg.jobs.idempotencyTtlHours * 3600),
        }
      : undefined;
    const actor = { type: 'key' as const, id: principal.keyId };
    // Opt-in exact-match cache (per request or per route): a hit completes the job at once.
    // Looked up by the stored form of the input (what the worker caches under), and a hit
    // gets this job's own pseudonymised values put back, never another job's.
    const stored = admission.request;
    const cacheTtl = request.cache?.ttlSeconds ?? d.cacheTtlSeconds;
    const cacheKey = cacheTtl
      ? this.cache.key(tenant.id, d.deployment, stored, outputPolicy)
      : undefined;
    const hit = cacheKey ? await this.cache.get(cacheKey) : null;
    const piiAudit = this.gov.redactionAudit(govInput, admission, d);
    const target = cfg.deploymentById.get(d.deployment)!;
    // A cached answer completes the job at once; any other job goes on its deployment's queue
    // as the store puts it there (in the same write as the job where it can, see
    // JobStore.create). A failed enqueue leaves the reservation to the job, as before.
    let queued: Promise<void> | undefined;
    const enqueue = () => {
      queued = this.ctx.queues.enqueue(
        d.deployment,
        { jobId: id, hop: 0, traceparent: cmd.traceparent },
        {
          priority: record.priority,
          attempts: target.attempts,
          backoffMs: cfg.jobs.backoffMs,
          rank: bp.rank,
        },
      );
      return queued.catch(() => undefined);
    };
    const created = await this.ctx.store
      .create({
        enqueue: hit ? undefined : enqueue,
        record,
        // The worker stores the result under the same key when the cache applies.
        request: cacheTtl ? { ...stored, cache: { ttlSeconds: cacheTtl } } : stored,
        idempotency: idem,
        events: [
          ...(piiAudit ? [auditEvent(piiAudit, cmd.traceparent)] : []),
          auditEvent(
            jobAudit('job.accepted', record, 'queued', {
              actor,
              details: {
                strategy: d.strategy,
                candidates: d.candidates.join(','),
                inputTokens: routing.inputTokens,
              },
            }),
            cmd.traceparent,
          ),
        ],
      })
      .catch(async (e: unknown) => {
        await this.gov.release(tenant.id, id);
        throw e;
      });
    if (!created.created) {
      await this.gov.release(tenant.id, id);
      return this.existing(created.jobId, created.sameBody, request.priority ?? 'normal');
    }
    await queued;
    metrics().jobsSubmitted.inc({ task: record.task, deployment: d.deployment, tenant: tenant.id });
    if (hit) metrics().cacheHits.inc({ task: record.task });
    if (hit)
      return {
        created: true,
        record: await completeFromCache(
          this.ctx,
          record,
          admission.mapping ? restorePseudonymsIn(hit.output, admission.mapping) : hit.output,
          this.gov.ledger,
          cmd.traceparent,
        ),
        rateLimit: admission.rateLimit,
      };
    return { created: true, record, rateLimit: admission.rateLimit };
  }

  /** An idempotent resubmission: the same job, re-enqueued if it never reached its queue. */
  private async existing(
    jobId: string,
    sameBody: boolean,
    priority: JobRecord['priority'],
  ): Promise<SubmitJobResult> {
    if (!sameBody) {
      throw new GatewayError(
        'idempotency_conflict',
        'This Idempotency-Key was used with a different body',
      );
    }
    const record = await this.ctx.store.get(jobId);
    if (!record)
      throw new GatewayError(
        'idempotency_conflict',
        'This Idempotency-Key names a job that has expired',
      );
    if (
      record.status === 'queued' &&
      record.route.fallbacks.length === 0 &&
      record.attempts === 0
    ) {
      const target = this.ctx.config().deploymentById.get(record.route.deployment);
      if (target) {
        // BullMQ drops an add whose job id exists, so this only fills a gap left by a crash.
        await this.ctx.queues.enqueue(
          target.id,
          { jobId, hop: 0 },
          { priority, attempts: target.attempts, backoffMs: this.ctx.config().jobs.backoffMs },
        );
      }
    }
    return { created: false, record };
  }
}
