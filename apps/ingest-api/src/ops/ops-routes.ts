import type { JobGovernance, TenantStore } from '@gateway/governance';
import type { QueueAdmin } from '@gateway/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminCheck } from './admin-session';
import { loginPage, opsPage, type TenantActivity } from './ops-page';

/** Only same-site paths under /admin are valid targets after login (no open redirect). */
const safeNext = (v: unknown) =>
  typeof v === 'string' && /^\/admin(\/[\w\-/]*)?$/.test(v) ? v : '/admin';

export interface OpsRouteDeps {
  readonly isAdmin: AdminCheck;
  readonly queues: QueueAdmin;
  readonly tenants: TenantStore;
  /** Budgets and rate limits: what each tenant spent and how often it was refused. */
  readonly gov: JobGovernance;
}

/** Every tenant with today's and this month's spend and today's rate-limit refusals. */
async function tenantActivity(deps: OpsRouteDeps): Promise<TenantActivity[]> {
  const tenants = await deps.tenants.list();
  return Promise.all(
    tenants.map(async (tenant) => {
      const [spent, rateLimitHits] = await Promise.all([
        deps.gov.ledger.spentNow(tenant.id),
        deps.gov.limiter.hitsToday(tenant.id),
      ]);
      return { tenant, ...spent, rateLimitHits };
    }),
  );
}

/** Sends a browser without the admin cookie to the login form. */
export function redirectToLogin(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const next = encodeURIComponent(req.url.split('?')[0]);
  return reply.redirect(`/admin/login?next=${next}`, 303);
}

/**
 * Server-rendered pages for operators: the ops page at `/admin` and the login form that
 * turns the admin key into an HttpOnly, SameSite=Strict cookie. Registered in its own
 * encapsulated scope so the form parser applies to these routes only.
 */
export async function opsRoutes(app: FastifyInstance, deps: OpsRouteDeps): Promise<void> {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get('/admin', async (req, reply) => {
    if (!(await deps.isAdmin(req, 'viewer'))) return redirectToLogin(req, reply);
    const [queues, tenants, failures] = await Promise.all([
      deps.queues.stats(),
      tenantActivity(deps),
      deps.queues.ops.failures({ limit: 20 }),
    ]);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(opsPage({ queues, tenants, failures, generatedAt: new Date().toISOString() }));
  });

  app.get('/admin/login', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    return reply.type('text/html; charset=utf-8').send(loginPage(safeNext(q.next), false));
  });

  app.post('/admin/login', async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const key = typeof form.key === 'string' ? form.key : '';
    const next = safeNext(form.next);
    if (!(await deps.isAdmin({ headers: { authorization: `Bearer ${key}` } }, 'viewer'))) {
      return reply.status(401).type('text/html; charset=utf-8').send(loginPage(next, true));
    }
    void reply.header(
      'set-cookie',
      `gw_admin=${encodeURIComponent(key)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200`,
    );
    return reply.redirect(next, 303);
  });

  app.get('/admin/logout', async (_req, reply) => {
    void reply.header('set-cookie', 'gw_admin=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    return reply.redirect('/admin/login', 303);
  });
}
