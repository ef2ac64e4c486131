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
  readonly id?: 'job' | 'tenant' | 'key' | 'webhook' | 'file' | 'batch';
  /** True when the route takes a JSON body. */
  readonly body?: boolean;
  /** A long-lived stream (SSE) when the object exists: fuzzed with unknown ids only. */
  readonly stream?: boolean;
  /** The OpenAI-compatible routes answer errors in OpenAI's shape, not the gateway's. */
  readonly errors?: 'openai';
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
  { method: 'GET', path: '/v1/webhooks/signing-secret', auth: 'tenant' },
  { method: 'POST', path: '/v1/webhooks/signing-secret/rotate', auth: 'tenant', body: true },
  { method: 'POST', path: '/admin/credentials', auth: 'admin', body: true },
  { method: 'GET', path: '/admin/credentials', auth: 'admin' },
  { method: 'DELETE', path: '/admin/credentials/:id', auth: 'admin' },
  { method: 'GET', path: '/admin/usage', auth: 'admin' },
  { method: 'DELETE', path: '/admin/tenants/:id/data', auth: 'admin', id: 'tenant' },
  { method: 'GET', path: '/admin/queues/stats', auth: 'admin' },
  { method: 'POST', path: '/admin/deployments/:id/pause', auth: 'admin' },
  { method: 'POST', path: '/admin/deployments/:id/resume', auth: 'admin' },
  { method: 'POST', path: '/admin/deployments/:id/drain', auth: 'admin' },
  { method: 'GET', path: '/admin/failures', auth: 'admin' },
  { method: 'GET', path: '/admin/jobs/:id', auth: 'admin', id: 'job' },
  { method: 'DELETE', path: '/admin/jobs/:id', auth: 'admin', id: 'job' },
  { method: 'POST', path: '/admin/jobs/:id/retry', auth: 'admin', id: 'job' },
  { method: 'POST', path: '/admin/jobs/retry', auth: 'admin', body: true },
  { method: 'GET', path: '/admin/webhooks/dead', auth: 'admin' },
  { method: 'POST', path: '/admin/webhooks/dead/replay', auth: 'admin', body: true },
  { method: 'POST', path: '/admin/webhooks/dead/:id/replay', auth: 'admin' },
  { method: 'GET', path: '/admin/tenants/:id/webhooks', auth: 'admin', id: 'tenant' },
  { method: 'POST', path: '/admin/tenants/:id/webhooks', auth: 'admin', id: 'tenant', body: true },
  { method: 'GET', path: '/healthz', auth: 'public' },
  { method: 'GET', path: '/openapi.json', auth: 'public' },
  // The OpenAI-compatible routes.
  ...(
    [
      { method: 'POST', path: '/v1/chat/completions', auth: 'tenant', body: true },
      { method: 'POST', path: '/v1/embeddings', auth: 'tenant', body: true },
      { method: 'GET', path: '/v1/models', auth: 'tenant' },
      { method: 'GET', path: '/v1/models/:id', auth: 'tenant' },
      { method: 'POST', path: '/v1/files', auth: 'tenant', body: true },
      { method: 'GET', path: '/v1/files', auth: 'tenant' },
      { method: 'GET', path: '/v1/files/:id', auth: 'tenant', id: 'file' },
      { method: 'GET', path: '/v1/files/:id/content', auth: 'tenant', id: 'file' },
      { method: 'DELETE', path: '/v1/files/:id', auth: 'tenant', id: 'file' },
      { method: 'POST', path: '/v1/batches', auth: 'tenant', body: true },
      { method: 'GET', path: '/v1/batches', auth: 'tenant' },
      { method: 'GET', path: '/v1/batches/:id', auth: 'tenant', id: 'batch' },
      { method: 'POST', path: '/v1/batches/:id/cancel', auth: 'tenant', id: 'batch' },
      { method: 'GET', path: '/v1/batches/:id/webhooks', auth: 'tenant', id: 'batch' },
    ] as const
  ).map((r): RouteSpec => ({ ...r, errors: 'openai' })),
];

/** Tenant-owned objects: the object-level authorisation check runs on each of these. */
export const TENANT_ID_ROUTES = ROUTES.filter((r) => r.auth === 'tenant' && r.id);
export const ADMIN_ROUTES = ROUTES.filter((r) => r.auth === 'admin');

/** Codes a refusal may carry: the documented table plus the transport-level ones. */
export const KNOWN_CODES = new Set<string>([...Object.keys(API_ERRORS), 'invalid_request']);

export const pathOf = (r: RouteSpec, id = 'x') => r.path.replace(':id', encodeURIComponent(id));

/** The code an OpenAI-compatible route answers for a gateway code (OpenAI's where one exists). */
const OPENAI_CODES: Record<string, string> = {
  unauthenticated: 'invalid_api_key',
  rate_limited: 'rate_limit_exceeded',
  validation_failed: 'invalid_request',
};
export const codeOn = (r: RouteSpec, code: string): string =>
  r.errors === 'openai' ? (OPENAI_CODES[code] ?? code) : code;

/**
 * The route whose error shape applies to a path as the server sees it: clients resolve `..`
 * segments first (`/v1/files/..` is `/v1/`), so such a path is no longer an OpenAI route.
 */
export function shapeRoute(r: RouteSpec, path: string): RouteSpec {
  if (r.errors !== 'openai') return r;
  const seen = new URL(path, 'http://gateway.invalid').pathname;
  return /^\/v1\/(?:chat\/completions|embeddings|models|files|batches)(?:\/|$)/.test(seen)
    ? r
    : { ...r, errors: undefined };
}

/** OpenAI's error body: message and type strings, param and code strings or null. */
function openAiShapeProblem(body: unknown): string | undefined {
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!e || typeof e !== 'object') return `no error object: ${JSON.stringify(body)}`;
  if (typeof e.message !== 'string' || e.message.length === 0) return 'no message';
  if (typeof e.type !== 'string' || e.type.length === 0) return 'no type';
  for (const k of ['param', 'code'] as const)
    if (!(k in e) || (e[k] !== null && typeof e[k] !== 'string')) return `bad ${k}`;
  return undefined;
}

/** Checks an answer against the documented error shape; returns a problem or undefined. */
export function errorShapeProblem(
  status: number,
  body: unknown,
  route?: RouteSpec,
): string | undefined {
  if (status < 400) return undefined;
  if (route?.errors === 'openai') return openAiShapeProblem(body);
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!e || typeof e !== 'object') return `no error object: ${JSON.stringify(body)}`;
  if (typeof e.code !== 'string' || !KNOWN_CODES.has(e.code)) return `unknown code ${e.code}`;
  if (typeof e.message !== 'string' || e.message.length === 0) return 'no message';
  if (typeof e.requestId !== 'string' || e.requestId.length === 0) return 'no requestId';
  if (e.details !== undefined && !Array.isArray(e.details)) return 'details not an array';
  return undefined;
}
