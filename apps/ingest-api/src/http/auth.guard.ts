import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { KeyStore, Principal } from '@gateway/governance';
import { GatewayError } from '@gateway/platform';
import type { FastifyRequest } from 'fastify';
import { KEY_STORE } from '../tokens';

export const SCOPE_KEY = 'gateway:scope';
/** The scope a route needs. */
export const RequireScope = (scope: string) => SetMetadata(SCOPE_KEY, scope);

export type AuthedRequest = FastifyRequest & { principal?: Principal };

/** Bearer API key on every /v1 route; the route's scope must be among the key's. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m)
      throw new GatewayError('unauthenticated', 'Send an API key as "Authorization: Bearer <key>"');
    const principal = await this.keys.authenticate(m[1]);
    if (!principal)
      throw new GatewayError('unauthenticated', 'The API key is invalid, revoked or expired');
    const scope = this.reflector.get<string | undefined>(SCOPE_KEY, ctx.getHandler());
    if (scope && !principal.scopes.has(scope)) {
      throw new GatewayError('forbidden', `This key lacks the "${scope}" scope`, [
        { missingScope: scope },
      ]);
    }
    req.principal = principal;
    return true;
  }
}
