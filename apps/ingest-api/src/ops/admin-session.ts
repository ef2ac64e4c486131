import { roleAllows, type AdminCredentials, type AdminRole } from '@gateway/governance';
import type { FastifyRequest } from 'fastify';

/** How pages and plugins outside Nest's guards check the admin credential. */
export type AdminCheck = (
  req: Pick<FastifyRequest, 'headers'>,
  need: AdminRole,
) => Promise<boolean>;

/** The credential as a Bearer header or the `gw_admin` cookie (set by the login form). */
export function presentedAdminKey(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  const cookie = /(?:^|;\s*)gw_admin=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  return m?.[1] ?? (cookie ? decodeURIComponent(cookie) : undefined);
}

/** An admin check backed by the admin credentials store, with the role a route needs. */
export function adminCheck(creds: AdminCredentials): AdminCheck {
  return async (req, need) => {
    const key = presentedAdminKey(req);
    const admin = key ? await creds.authenticate(key) : null;
    return !!admin && roleAllows(admin.role, need);
  };
}
