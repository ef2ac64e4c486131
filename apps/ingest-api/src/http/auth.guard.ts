import {
  type CanActivate,
  type ExecutionContext,
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

export type AuthedRequest = FastifyRequest & {
  principal?: Principal;
  /** The rpm limits this request was counted against (the guard counts every /v1 request). */
  rateLimit?: RateLimitState[];
};

/**
 * Bearer API key on every /v1 route; the route's scope must be among the key's; every
 * request counts against the key's and the tenant's requests per minute. Failures and
 * denials are audited (never with the presented key).
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
    const route = `${req.method} ${req.routeOptions?.url ?? req.url.split('?')[0]}`;
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
    const rate = await this.gov.limiter.consumeRequest({
      tenantId: tenant.id,
      keyId: principal.keyId,
      tenantLimits: tenant.limits,
      keyLimits: principal.limits,
    });
    setRateLimitHeaders(reply, rate.states);
    if (!rate.ok) {
      metrics().admissionRejected.inc({ code: 'rate_limited', reason: 'rate_limit' });
      this.gov.audit.recordQuietly({
        action: 'rate.limited',
        outcome: 'refused',
        tenantId: tenant.id,
        actor: { type: 'key', id: principal.keyId },
        reason: rate.refusedBy.name,
        details: { route, limit: rate.refusedBy.limit, retryAfterSec: rate.retryAfterSec },
      });
      throw new GatewayError(
        'rate_limited',
        `Rate limit reached: ${rate.refusedBy.name} is ${rate.refusedBy.limit}; retry after ${rate.retryAfterSec} s`,
        [{ limit: rate.refusedBy.name, value: rate.refusedBy.limit }],
        rate.retryAfterSec,
      );
    }
    const scope = this.reflector.get<string | undefined>(SCOPE_KEY, ctx.getHandler());
    if (scope && !principal.scopes.has(scope)) {
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
    req.rateLimit = rate.states;
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
