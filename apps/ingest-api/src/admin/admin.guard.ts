import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual, createHash } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { GatewayError, type GatewayContext } from '@gateway/platform';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONTEXT } from '../tokens';

/** The admin credential: GATEWAY_ADMIN_KEY, else the development key file, else none. */
export function resolveAdminKey(ctx: GatewayContext): string | undefined {
  if (ctx.env.adminKey) return ctx.env.adminKey;
  try {
    return readFileSync(join(ctx.env.dataDir, 'admin-key'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Admin routes take the admin credential as a Bearer header or the `gw_admin` cookie. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(GATEWAY_CONTEXT) ctx: GatewayContext) {
    const key = resolveAdminKey(ctx);
    this.expected = key ? digest(key) : undefined;
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const cookie = /(?:^|;\s*)gw_admin=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const presented = m?.[1] ?? (cookie ? decodeURIComponent(cookie) : undefined);
    if (!presented || !this.expected || !timingSafeEqual(digest(presented), this.expected)) {
      throw new GatewayError(
        'unauthenticated',
        'Admin routes need the admin credential as "Authorization: Bearer <admin key>"',
      );
    }
    return true;
  }
}
