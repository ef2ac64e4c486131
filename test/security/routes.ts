import { API_ERRORS } from '@gateway/contracts';

/**
 * The public routes under test. Fuzzing, object-level authorisation and admin checks all
 * iterate over this table: a new route gets the whole battery by adding one row.
 */
export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path with `:id` where the route takes an object id. */
  readonly path: string;
  /** Who may call it: a tenant API key, the admin credential, or anyone. */
  readonly auth: 'tenant' | 'admin' | 'public';
  /** The object an `:id` names; tenant-owned ones must answer 404 to other tenants. */
  readonly id?: 'job' | 'tenant' | 'key' | 'webhook';
  /** True when the route takes a JSON body. */
  readonly body?: boolean;
  /** A long-lived stream (SSE) when the object exists: fuzzed with unknown ids only. */
  readonly stream?: boolean;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/v1/jobs', auth: 'tenant', body: true },
  { method: 'GET', path: '/v1/jobs', auth: 'tenant' },
  { method: 'GET', path: '/v1/jobs/:id', auth: 'tenant', id: 'job' },
  { method: 'DELETE', path: '/v1/jobs/:id', auth: 'tenant', id: 'job' },
  { method: 'GET', path: '/v1/jobs/:id/events', auth: 'tenant', id: 'job', stream: true },
  { method: 'GET', path: '/v1/jobs/:id/webhooks', auth: 'tenant', id: 'job' },
  { method: 'POST', path: '/v1/webhooks', auth: 'tenant', body: true },
  { method: 'GET', path: '/v1/webhooks', auth: 'tenant' },
  { method: 'DELETE', path: '/v1/webhooks/:id', auth: 'tenant', id: 'webhook' },
  { method: 'POST', path: '/v1/webhooks/:id/rotate', auth: 'tenant', id: 'webhook', body: true },
  { method: 'GET', path: '/v1/usage', auth: 'tenant' },
  { method: 'POST', path: '/admin/tenants', auth: 'admin', body: true },
  { method: 'GET', path: '/admin/tenants', auth: 'admin' },
  { method: 'GET', path: '/admin/tenants/:id', auth: 'admin', id: 'tenant' },
  { method: 'PATCH', path: '/admin/tenants/:id', auth: 'admin', id: 'tenant', body: true },
  { method: 'POST', path: '/admin/tenants/:id/keys', auth: 'admin', id: 'tenant', body: true },
  { method: 'GET', path: '/admin/tenants/:id/keys', auth: 'admin', id: 'tenant' },
  { method: 'PATCH', path: '/admin/keys/:id', auth: 'admin', id: 'key', body: true },
  { method: 'DELETE', path: '/admin/keys/:id', auth: 'admin', id: 'key' },
  { method: 'POST', path: '/admin/keys/:id/rotate', auth: 'admin', id: 'key', body: true },
  { method: 'GET', path: '/healthz', auth: 'public' },
  { method: 'GET', path: '/openapi.json', auth: 'public' },
];

/** Tenant-owned objects: the object-level authorisation check runs on each of these. */
export const TENANT_ID_ROUTES = ROUTES.filter((r) => r.auth === 'tenant' && r.id);
export const ADMIN_ROUTES = ROUTES.filter((r) => r.auth === 'admin');

/** Codes a refusal may carry: the documented table plus the transport-level ones. */
export const KNOWN_CODES = new Set<string>([...Object.keys(API_ERRORS), 'invalid_request']);

export const pathOf = (r: RouteSpec, id = 'x') => r.path.replace(':id', encodeURIComponent(id));

/** Checks an answer against the documented error shape; returns a problem or undefined. */
export function errorShapeProblem(status: number, body: unknown): string | undefined {
  if (status < 400) return undefined;
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!e || typeof e !== 'object') return `no error object: ${JSON.stringify(body)}`;
  if (typeof e.code !== 'string' || !KNOWN_CODES.has(e.code)) return `unknown code ${e.code}`;
  if (typeof e.message !== 'string' || e.message.length === 0) return 'no message';
  if (typeof e.requestId !== 'string' || e.requestId.length === 0) return 'no requestId';
  if (e.details !== undefined && !Array.isArray(e.details)) return 'details not an array';
  return undefined;
}
