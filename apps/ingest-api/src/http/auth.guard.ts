import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  parseBearer,
  type JobGovernance,
  type KeyStore,
  type Principal,
  type RateLimitState,
  type RateSubject,
  type TenantStore,
} from '@gateway/governance';
import { metrics } from '@gateway/observability';
import { GatewayError } from '@gateway/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JOB_GOVERNANCE, KEY_STORE, TENANT_STORE } from '../tokens';
import { setRateLimitHeaders } from './rate-limit-headers';
import { tagRequestLog } from './request-logging';

export const SCOPE_KEY = 'gateway:scope';
/** The scope a route needs. */
export const RequireScope = (scope: string) => SetMetadata(SCOPE_KEY, scope);

const COUNTED_AT_ADMISSION = 'gateway:countedAtAdmission';
/**
 * A submission route: its job's admission counts the request against the rpm limits together
 * with its tokens (one Redis round trip), so the guard does not. The route runs its work in
 * {@link countedSubmission}, which counts a request refused before admission.
 */
export const CountedAtAdmission = () => SetMetadata(COUNTED_AT_ADMISSION, true);

export type AuthedRequest = FastifyRequest & {
  principal?: Principal;
  /** The rpm limits this request was counted against by the guard. */
  rateLimit?: RateLimitState[];
  /** Whose limits count the request: set by the guard. */
  rateSubject?: RateSubject;
  /** True when the guard left the request's count to admission (see CountedAtAdmission). */
  countDeferred?: boolean;
};

/** The route as audits name it: method and pattern. */
export const routeOf = (req: FastifyRequest) =>
  `${req.method} ${req.routeOptions?.url ?? req.url.split('?')[0]}`;

/**
 * Counts one request against the rpm limits of `subject` and sets the rate headers; over a
 * limit the refusal is counted, audited and thrown as `rate_limited` (429).
 */
export async function countRequest(
  gov: JobGovernance,
  req: FastifyRequest,
  reply: FastifyReply,
  subject: RateSubject,
): Promise<RateLimitState[]> {
  const rate = await gov.limiter.consumeRequest(subject);
  setRateLimitHeaders(reply, rate.states);
  if (rate.ok) return rate.states;
  metrics().admissionRejected.inc({ code: 'rate_limited', reason: 'rate_limit' });
  gov.audit.recordQuietly({
    action: 'rate.limited',
    outcome: 'refused',
    tenantId: subject.tenantId,
    actor: { type: 'key', id: subject.keyId },
    reason: rate.refusedBy.name,
    details: {
      route: routeOf(req),
      limit: rate.refusedBy.limit,
      retryAfterSec: rate.retryAfterSec,
    },
  });
  throw new GatewayError(
    'rate_limited',
    `Rate limit reached: ${rate.refusedBy.name} is ${rate.refusedBy.limit}; retry after ${rate.retryAfterSec} s`,
    [{ limit: rate.refusedBy.name, value: rate.refusedBy.limit }],
    rate.retryAfterSec,
  );
}

/**
 * Bearer API key on every /v1 route; the route's scope must be among the key's; every
 * request counts against the key's and the tenant's requests per minute (a submission route's
 * at admission). Failures and denials are audited (never with the presented key).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(TENANT_STORE) private readonly tenants: TenantStore,
    @Inject(JOB_GOVERNANCE) private readonly gov: JobGovernance,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const route = routeOf(req);
    const presented = parseBearer(req.headers.authorization);
    if (!presented) {
      this.authFailed(route, 'missing bearer');
      throw new GatewayError('unauthenticated', 'Send an API key as "Authorization: Bearer <key>"');
    }
    const principal = await this.keys.authenticate(presented);
    const tenant = principal ? await this.tenants.get(principal.tenantId) : null;
    if (!principal || !tenant) {
      this.authFailed(route, principal ? 'tenant gone' : 'unknown, revoked or expired key');
      throw new GatewayError('unauthenticated', 'The API key is invalid, revoked or expired');
    }
    tagRequestLog(req, { tenantId: tenant.id, keyId: principal.keyId });
    const subject: RateSubject = {
      tenantId: tenant.id,
      keyId: principal.keyId,
      tenantLimits: tenant.limits,
      keyLimits: principal.limits,
    };
    const scope = this.reflector.get<string | undefined>(SCOPE_KEY, ctx.getHandler());
    const denied = scope !== undefined && !principal.scopes.has(scope);
    // A denied submission is counted here: it never reaches admission.
    const deferred =
      !denied && this.reflector.get<boolean | undefined>(COUNTED_AT_ADMISSION, ctx.getHandler());
    if (!deferred) req.rateLimit = await countRequest(this.gov, req, reply, subject);
    if (denied) {
      this.gov.audit.recordQuietly({
        action: 'scope.denied',
        outcome: 'refused',
        tenantId: principal.tenantId,
        actor: { type: 'key', id: principal.keyId },
        reason: `missing scope ${scope}`,
        details: { route, missingScope: scope },
      });
      throw new GatewayError('forbidden', `This key lacks the "${scope}" scope`, [
        { missingScope: scope },
      ]);
    }
    req.principal = principal;
    req.rateSubject = subject;
    req.countDeferred = deferred === true;
    return true;
  }

  private authFailed(route: string, reason: string): void {
    this.gov.audit.recordQuietly({
      action: 'auth.failed',
      outcome: 'refused',
      actor: { type: 'anonymous', id: null },
      reason,
      details: { route },
    });
  }
}

/**
 * The status an error answers with, where it names one (else a server failure). Read from the
 * error itself, not from ErrorFilter.classify: the OpenAI façade's OpenAiHttpError carries its
 * own `status`, which only the façade's filter knows.
 */
function statusOf(e: unknown): number {
  if (e instanceof GatewayError) return e.status;
  if (e instanceof HttpException) return e.getStatus();
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : 500;
}

/**
 * Runs the work of a {@link CountedAtAdmission} route; `requestCounted` tells the submission
 * whether the guard counted the request already. A refusal that admission counted answers
 * with its limits' headers. A request refused for its input before admission counted it
 * (bad body, bad header) is counted now, so every request still counts and a client over its
 * rpm is answered 429, as the guard would have; a server failure counts nothing.
 */
export async function countedSubmission<T>(
  gov: JobGovernance,
  req: AuthedRequest,
  reply: FastifyReply,
  work: (requestCounted: boolean) => Promise<T>,
): Promise<T> {
  try {
    return await work(!req.countDeferred);
  } catch (e) {
    if (e instanceof GatewayError && e.rateLimit) setRateLimitHeaders(reply, e.rateLimit);
    else if (req.countDeferred && req.rateSubject && statusOf(e) < 500)
      await countRequest(gov, req, reply, req.rateSubject);
    throw e;
  }
}
