import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  roleAllows,
  type AdminCredentials,
  type AdminPrincipal,
  type AdminRole,
  type JobGovernance,
} from '@gateway/governance';
import { GatewayError, type GatewayContext } from '@gateway/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_CREDENTIALS, JOB_GOVERNANCE } from '../tokens';

/** The admin credential: GATEWAY_ADMIN_KEY, else the development key file, else none. */
export function resolveAdminKey(ctx: GatewayContext): string | undefined {
  if (ctx.env.adminKey) return ctx.env.adminKey;
  try {
    return readFileSync(join(ctx.env.dataDir, 'admin-key'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const ROLE_KEY = 'gateway:admin-role';
/**
 * The role a route needs. Unmarked routes: `viewer` for GET/HEAD, `operator` otherwise;
 * managing admin credentials and erasing data take `admin`.
 */
export const AdminRoleRequired = (role: AdminRole) => SetMetadata(ROLE_KEY, role);

export type AdminRequest = FastifyRequest & { admin?: AdminPrincipal };

/**
 * Admin routes take an admin credential (the bootstrap GATEWAY_ADMIN_KEY or a named one) as
 * a Bearer header or the `gw_admin` cookie, with a role that covers the route. Every admin
 * request is audited once answered: who, which route, which status; never bodies.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    @Inject(ADMIN_CREDENTIALS) private readonly creds: AdminCredentials,
    @Inject(JOB_GOVERNANCE) private readonly gov: JobGovernance,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AdminRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const route = `${req.method} ${req.routeOptions?.url ?? req.url.split('?')[0]}`;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const cookie = /(?:^|;\s*)gw_admin=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const presented = m?.[1] ?? (cookie ? decodeURIComponent(cookie) : undefined);
    const admin = presented ? await this.creds.authenticate(presented) : null;
    if (!admin) {
      this.gov.audit.recordQuietly({
        action: 'auth.failed',
        outcome: 'refused',
        actor: { type: 'anonymous', id: null },
        reason: presented ? 'unknown admin credential' : 'missing admin credential',
        details: { route },
      });
      throw new GatewayError(
        'unauthenticated',
        'Admin routes need an admin credential as "Authorization: Bearer <admin key>"',
      );
    }
    const need =
      this.reflector.getAllAndOverride<AdminRole | undefined>(ROLE_KEY, [
        ctx.getHandler(),
        ctx.getClass(),
      ]) ?? (req.method === 'GET' || req.method === 'HEAD' ? 'viewer' : 'operator');
    const tenantId = (req.params as Record<string, string> | undefined)?.id ?? null;
    const audit = (outcome: string, status: number) =>
      this.gov.audit.recordQuietly({
        action: 'admin.action',
        outcome,
        tenantId: route.includes('/tenants/:id') ? tenantId : null,
        actor: { type: 'admin', id: admin.id },
        reason: route,
        details: { route, role: admin.role, status },
      });
    if (!roleAllows(admin.role, need)) {
      audit('forbidden', 403);
      throw new GatewayError(
        'forbidden',
        `This admin credential has the "${admin.role}" role; the route needs "${need}"`,
        [{ requiredRole: need }],
      );
    }
    req.admin = admin;
    reply.raw.once('finish', () =>
      audit(reply.statusCode < 400 ? 'ok' : 'error', reply.statusCode),
    );
    return true;
  }
}
