import type { AuditData, JobRequest } from '@gateway/contracts';
import type { TenantConfig } from '@gateway/config';
import type { Keys } from '@gateway/queue';
import type { RedisClient as Redis } from '@gateway/storage';
import { AuditLog } from '../audit/audit-log';
import { BudgetLedger } from '../budget/budget-ledger';
import type { PayloadCipher } from '../crypto/payload-cipher';
import { GovKeys } from '../gov-keys';
import { RateLimiter, type RateLimitResult, type RateLimitState } from '../limits/rate-limiter';
import { applyPiiPolicy } from '../pii/apply-pii-policy';
import type { PiiPolicy } from '../pii/pii-types';
import type { PseudonymMapping } from '../pii/pseudonymise';
import type { Principal } from '../store/key-store';
import { PolicyRefusal } from './policy-refusal';
import { PseudonymVault } from './pseudonym-vault';

/** The job being admitted and who asks. */
export interface AdmissionInput {
  readonly principal: Principal;
  readonly tenant: TenantConfig;
  readonly request: JobRequest;
  readonly jobId: string;
  /** Estimated input + maximum output tokens (`estimateTokens`). */
  readonly estimatedTokens: number;
  /** False when the HTTP guard counted the request already (rpm). */
  readonly countRequest: boolean;
  readonly traceparent?: string;
  /** The input PII policy of the job's route, when it sets one (else the tenant's applies). */
  readonly routePii?: PiiPolicy;
}

/** What admission decided, carried to the reservation and the stored record. */
export interface Admission {
  /** The request as it will be stored and sent: PII policy applied to the input. */
  readonly request: JobRequest;
  /** Non-zero PII counts per type, for `record.policy.redactions` and the audit. */
  readonly redactions: Record<string, number>;
  readonly rateLimit: RateLimitState[];
  readonly tokenCounters: string[];
  readonly mapping?: PseudonymMapping;
  /** The input PII policy applied: the route's, else the tenant's. */
  readonly pii: PiiPolicy;
}

/**
 * The governance steps of job admission, in order: rate limits (requests, estimated tokens),
 * PII policy on the input, then (after routing) the budget reservation. Each refusal is
 * audited here and thrown as a PolicyRefusal; nothing is counted for a refused job.
 */
export class JobGovernance {
  readonly govKeys: GovKeys;
  readonly audit: AuditLog;
  readonly limiter: RateLimiter;
  readonly ledger: BudgetLedger;
  readonly vault: PseudonymVault;

  constructor(redis: Redis, keys: Keys, cipher?: PayloadCipher) {
    this.govKeys = new GovKeys(keys);
    this.audit = new AuditLog(redis, keys);
    this.limiter = new RateLimiter(redis, this.govKeys);
    this.ledger = new BudgetLedger(redis, this.govKeys);
    this.vault = new PseudonymVault(redis, this.govKeys, cipher);
  }

  async admit(input: AdmissionInput): Promise<Admission> {
    const { principal, tenant } = input;
    const subject = {
      tenantId: tenant.id,
      keyId: principal.keyId,
      tenantLimits: tenant.limits,
      keyLimits: principal.limits,
    };
    // The request (unless counted already) and its tokens in one step.
    const states = this.check(
      await (input.countRequest
        ? this.limiter.consumeRequestAndTokens(subject, input.estimatedTokens)
        : this.limiter.consumeTokens(subject, input.estimatedTokens)),
      input,
    );
    const tokenCounters = this.limiter.tokenCounterKeys(subject);

    const policy = input.routePii ?? tenant.pii;
    const pii = applyPiiPolicy(input.request.input, policy);
    const redactions = Object.fromEntries(Object.entries(pii.counts).filter(([, n]) => n > 0));
    if (pii.blocked) {
      await this.limiter.correctTokens(tokenCounters, -input.estimatedTokens);
      const summary = Object.entries(redactions)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ');
      this.refusalAudit(
        input,
        'pii.redacted',
        'blocked',
        `PII policy "block": ${summary}`,
        redactions,
      );
      throw new PolicyRefusal(
        'policy_violation',
        `The input contains personal data (${summary}) and the PII policy of ${input.routePii ? 'its route' : `tenant "${tenant.id}"`} blocks it; remove it or ask for another PII policy`,
        [{ policy: 'block', counts: redactions }],
      );
    }
    return {
      request: { ...input.request, input: pii.value },
      redactions,
      rateLimit: states,
      tokenCounters,
      mapping: pii.mapping && Object.keys(pii.mapping).length ? pii.mapping : undefined,
      pii: policy,
    };
  }

  /** Routing refused the job: audit it (residency has its own action) and give tokens back. */
  async refuseRoute(
    input: AdmissionInput,
    a: Admission,
    code: string,
    message: string,
  ): Promise<void> {
    await this.limiter.correctTokens(a.tokenCounters, -input.estimatedTokens);
    const residency = code === 'residency_violation';
    this.refusalAudit(input, residency ? 'residency.refused' : 'job.routed', 'refused', message, {
      code,
      ...(residency ? { policy: input.tenant.region ?? null } : {}),
    });
  }

  /**
   * Reserves the job's worst-case cost and keeps its pseudonym mapping. Throws
   * `budget_exceeded` (402) with the window's reset time when the budget has no room.
   */
  async reserve(
    input: AdmissionInput,
    a: Admission,
    route: { deployment: string; maxCostUsd: number; region?: string },
    retentionSec: number,
  ): Promise<void> {
    const { tenant, principal } = input;
    const res = await this.ledger.reserve({
      tenantId: tenant.id,
      keyId: principal.keyId,
      jobId: input.jobId,
      deployment: route.deployment,
      amountUsd: route.maxCostUsd,
      estimatedTokens: input.estimatedTokens,
      tokenCounters: a.tokenCounters,
      budgets: tenant.budgets,
      budgetKeyId: principal.budgetKeyId ?? principal.keyId,
      keyBudgets: principal.budgets,
    });
    if (!res.ok) {
      await this.limiter.correctTokens(a.tokenCounters, -input.estimatedTokens);
      const owner = res.scope === 'key' ? `API key "${principal.keyId}"` : `Tenant "${tenant.id}"`;
      this.refusalAudit(input, 'budget.refused', 'refused', `${res.scope} ${res.window} budget`, {
        scope: res.scope,
        window: res.window,
        limitUsd: res.limitUsd,
        usedUsd: res.usedUsd,
        requestedUsd: route.maxCostUsd,
      });
      const retryAfterSec = Math.max(1, Math.ceil((Date.parse(res.resetsAt) - Date.now()) / 1000));
      throw new PolicyRefusal(
        'budget_exceeded',
        `${owner} would exceed its ${res.window === 'day' ? 'daily' : 'monthly'} budget of $${res.limitUsd} (used or reserved: $${res.usedUsd}, this job up to $${route.maxCostUsd}); it resets at ${res.resetsAt}`,
        [
          {
            scope: res.scope,
            ...(res.scope === 'key' ? { keyId: principal.keyId } : { tenantId: tenant.id }),
            window: res.window,
            limitUsd: res.limitUsd,
            usedUsd: res.usedUsd,
            resetsAt: res.resetsAt,
          },
        ],
        retryAfterSec,
      );
    }
    for (const w of res.crossed) {
      this.refusalAudit(
        input,
        'budget.threshold',
        'warned',
        `${w.scope} ${w.window} budget past 80%`,
        { scope: w.scope, window: w.window },
      );
    }
    if (a.mapping) await this.vault.save(input.jobId, a.mapping, retentionSec * 2);
  }

  /** The job was not stored after all (idempotent duplicate, store error): undo its reservation. */
  async release(tenantId: string, jobId: string): Promise<void> {
    await this.ledger.release(tenantId, jobId);
    await this.vault.delete([jobId]);
  }

  /** The audit data of a PII policy that changed the stored input (written with the job). */
  redactionAudit(
    input: AdmissionInput,
    a: Admission,
    route: { deployment: string; region?: string },
  ): AuditData | null {
    if (Object.keys(a.redactions).length === 0) return null;
    return {
      deployment: route.deployment,
      region: route.region ?? null,
      action: 'pii.redacted',
      tenantId: input.tenant.id,
      actor: { type: 'key', id: input.principal.keyId },
      jobId: input.jobId,
      task: input.request.task,
      reason: `PII policy "${a.pii}"`,
      outcome: a.pii,
      details: { ...a.redactions, direction: 'input' },
    };
  }

  private check(r: RateLimitResult, input: AdmissionInput): RateLimitState[] {
    if (r.ok) return r.states;
    this.refusalAudit(input, 'rate.limited', 'refused', r.refusedBy.name, {
      limit: r.refusedBy.limit,
      retryAfterSec: r.retryAfterSec,
    });
    throw new PolicyRefusal(
      'rate_limited',
      `Rate limit reached: ${r.refusedBy.name} is ${r.refusedBy.limit}; retry after ${r.retryAfterSec} s`,
      [{ limit: r.refusedBy.name, value: r.refusedBy.limit, retryAfterSec: r.retryAfterSec }],
      r.retryAfterSec,
      r.states,
    );
  }

  private refusalAudit(
    input: AdmissionInput,
    action: AuditData['action'],
    outcome: string,
    reason: string,
    details: AuditData['details'],
  ): void {
    this.audit.recordQuietly(
      {
        action,
        outcome,
        reason,
        details,
        tenantId: input.tenant.id,
        actor: { type: 'key', id: input.principal.keyId },
        task: input.request.task,
        region: input.tenant.region ?? null,
      },
      input.traceparent,
    );
  }
}
