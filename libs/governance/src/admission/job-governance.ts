import type { AuditData, JobRequest } from '@gateway/contracts';
import type { TenantConfig } from '@gateway/config';
import type { Keys } from '@gateway/queue';
import type { RedisClient as Redis } from '@gateway/storage';
import { AuditLog } from '../audit/audit-log';
import { BudgetLedger } from '../budget/budget-ledger';
import type { PayloadCipher } from '../crypto/payload-cipher';
import { GovKeys } from '../gov-keys';
import {
  RateLimiter,
  type RateLimitResult,
  type RateLimitState,
  type RateSubject,
} from '../limits/rate-limiter';
import { ADMIT } from './admit.script';
import { applyPiiPolicy } from '../pii/apply-pii-policy';
import type { PiiPolicy } from '../pii/pii-types';
import type { PseudonymMapping } from '../pii/pseudonymise';
import type { Principal } from '../store/key-store';
import { PolicyRefusal } from './policy-refusal';
import { PseudonymVault } from './pseudonym-vault';

type AdmitScript = (...a: (string | number)[]) => Promise<[number, number[], number[]]>;
type ScriptRedis = Redis & { gwAdmit7: AdmitScript; gwAdmit9: AdmitScript };

/** What a routed job reserves at admission: its deployment's worst-case cost. */
export interface RouteReservation {
  readonly deployment: string;
  readonly maxCostUsd: number;
  /** The jobs' retention: a pseudonymised job's mapping is kept twice as long. */
  readonly retentionSec: number;
}

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
 * The governance steps of job admission: rate limits (requests, estimated tokens), the PII
 * policy on the input and the budget reservation of the routed job. Each refusal is audited
 * here and thrown as a PolicyRefusal.
 */
export class JobGovernance {
  readonly govKeys: GovKeys;
  readonly audit: AuditLog;
  readonly limiter: RateLimiter;
  readonly ledger: BudgetLedger;
  readonly vault: PseudonymVault;

  private readonly redis: ScriptRedis;

  constructor(redis: Redis, keys: Keys, cipher?: PayloadCipher) {
    // Fixed key counts (ioredis then knows the first key, which a Redis Cluster client routes
    // by): the rpm and tpm counters or the tpm ones alone, then the ledger and four windows.
    if (!('gwAdmit7' in redis)) {
      redis.defineCommand('gwAdmit7', { numberOfKeys: 7, lua: ADMIT });
      redis.defineCommand('gwAdmit9', { numberOfKeys: 9, lua: ADMIT });
    }
    this.redis = redis as ScriptRedis;
    this.govKeys = new GovKeys(keys);
    this.audit = new AuditLog(redis, keys);
    this.limiter = new RateLimiter(redis, this.govKeys);
    this.ledger = new BudgetLedger(redis, this.govKeys);
    this.vault = new PseudonymVault(redis, this.govKeys, cipher);
  }

  /**
   * Admits a job: its request (unless counted already) and estimated tokens against the rate
   * limits, the PII policy on its input and, for a routed job (`route`), the reservation of
   * its worst-case cost, with the rate limits in one Redis script (one round trip). Refusals:
   * rate limits first (429), then the PII policy (403), then the budget (402). A job refused
   * for its input or its budget keeps no tokens counted; its request stays counted.
   * Without `route` (routing refused the job) only the rate limits are counted.
   */
  async admit(input: AdmissionInput, route?: RouteReservation): Promise<Admission> {
    const { principal, tenant } = input;
    const subject = {
      tenantId: tenant.id,
      keyId: principal.keyId,
      tenantLimits: tenant.limits,
      keyLimits: principal.limits,
    };
    const policy = input.routePii ?? tenant.pii;
    const pii = applyPiiPolicy(input.request.input, policy);
    const redactions = Object.fromEntries(Object.entries(pii.counts).filter(([, n]) => n > 0));
    if (pii.blocked) {
      // The request counts all the same, and a rate limit refuses it first.
      if (input.countRequest) this.check(await this.limiter.consumeRequest(subject), input);
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
    const tokenCounters = this.limiter.tokenCounterKeys(subject);
    const states = route
      ? await this.rateAndReserve(input, subject, tokenCounters, route)
      : this.check(
          await this.limiter.run(
            this.limiter.submission(subject, input.estimatedTokens, input.countRequest),
          ),
          input,
        );
    const admission: Admission = {
      request: { ...input.request, input: pii.value },
      redactions,
      rateLimit: states,
      tokenCounters,
      mapping: pii.mapping && Object.keys(pii.mapping).length ? pii.mapping : undefined,
      pii: policy,
    };
    if (route && admission.mapping)
      await this.vault.save(input.jobId, admission.mapping, route.retentionSec * 2);
    return admission;
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
   * The rate limits and the budget reservation in one script. Throws `rate_limited` (429) or
   * `budget_exceeded` (402, with the window's reset time) when either has no room.
   */
  private async rateAndReserve(
    input: AdmissionInput,
    subject: RateSubject,
    tokenCounters: string[],
    route: RouteReservation,
  ): Promise<RateLimitState[]> {
    const { tenant, principal } = input;
    const rate = this.limiter.submission(subject, input.estimatedTokens, input.countRequest);
    const reservation = this.ledger.plan({
      tenantId: tenant.id,
      keyId: principal.keyId,
      jobId: input.jobId,
      deployment: route.deployment,
      amountUsd: route.maxCostUsd,
      estimatedTokens: input.estimatedTokens,
      tokenCounters,
      budgets: tenant.budgets,
      budgetKeyId: principal.budgetKeyId ?? principal.keyId,
      keyBudgets: principal.budgets,
    });
    const script = rate.keys.length === 4 ? this.redis.gwAdmit9 : this.redis.gwAdmit7;
    const call = script.call(
      this.redis,
      ...rate.keys,
      ...reservation.keys,
      rate.keys.length,
      rate.requestCounters,
      ...rate.args,
      ...reservation.args,
    );
    const [res, budget] = await Promise.all([
      call,
      this.ledger.outcome(
        reservation,
        call.then((r) => (r[0] === 1 ? r[2] : undefined)),
      ),
    ]);
    const states = this.check(await this.limiter.outcome(rate, res[1]), input);
    if (!budget) throw new Error('admission: the budget step did not answer');
    if (!budget.ok) {
      const owner =
        budget.scope === 'key' ? `API key "${principal.keyId}"` : `Tenant "${tenant.id}"`;
      this.refusalAudit(
        input,
        'budget.refused',
        'refused',
        `${budget.scope} ${budget.window} budget`,
        {
          scope: budget.scope,
          window: budget.window,
          limitUsd: budget.limitUsd,
          usedUsd: budget.usedUsd,
          requestedUsd: route.maxCostUsd,
        },
      );
      const retryAfterSec = Math.max(
        1,
        Math.ceil((Date.parse(budget.resetsAt) - Date.now()) / 1000),
      );
      throw new PolicyRefusal(
        'budget_exceeded',
        `${owner} would exceed its ${budget.window === 'day' ? 'daily' : 'monthly'} budget of $${budget.limitUsd} (used or reserved: $${budget.usedUsd}, this job up to $${route.maxCostUsd}); it resets at ${budget.resetsAt}`,
        [
          {
            scope: budget.scope,
            ...(budget.scope === 'key' ? { keyId: principal.keyId } : { tenantId: tenant.id }),
            window: budget.window,
            limitUsd: budget.limitUsd,
            usedUsd: budget.usedUsd,
            resetsAt: budget.resetsAt,
          },
        ],
        retryAfterSec,
        states,
      );
    }
    for (const w of budget.crossed) {
      this.refusalAudit(
        input,
        'budget.threshold',
        'warned',
        `${w.scope} ${w.window} budget past 80%`,
        { scope: w.scope, window: w.window },
      );
    }
    return states;
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
