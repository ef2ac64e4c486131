import { AdminClient, CliError, EXIT } from './admin-client';
import { toCsv } from './output';

/** Parsed command line: positional words and `--name value` / `--flag` options. */
export interface Args {
  readonly words: string[];
  readonly opts: Record<string, string | true>;
}

type Handler = (c: AdminClient, a: Args) => Promise<unknown>;

const need = (a: Args, i: number, what: string): string => {
  const v = a.words[i];
  if (!v) throw new CliError(`Missing ${what}; see "gateway help"`, EXIT.usage);
  return encodeURIComponent(v);
};
const opt = (a: Args, name: string): string | undefined =>
  typeof a.opts[name] === 'string' ? a.opts[name] : undefined;
const query = (a: Args, names: string[]): string => {
  const q = new URLSearchParams();
  for (const n of names) if (opt(a, n)) q.set(n, opt(a, n)!);
  const s = q.toString();
  return s ? `?${s}` : '';
};
/** `--daily-usd N --monthly-usd N` as a key's budgets, or undefined when neither is given. */
const keyBudgets = (a: Args): { dailyUsd?: number; monthlyUsd?: number } | undefined => {
  const usd = (name: string) => {
    const v = opt(a, name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0)
      throw new CliError(`--${name} must be a number of USD ≥ 0, not "${v}"`, EXIT.usage);
    return n;
  };
  const dailyUsd = usd('daily-usd');
  const monthlyUsd = usd('monthly-usd');
  if (dailyUsd === undefined && monthlyUsd === undefined) return undefined;
  return {
    ...(dailyUsd !== undefined ? { dailyUsd } : {}),
    ...(monthlyUsd !== undefined ? { monthlyUsd } : {}),
  };
};
const requiredKeyBudgets = (a: Args) => {
  const b = keyBudgets(a);
  if (!b) throw new CliError('Give --daily-usd and/or --monthly-usd, or --none', EXIT.usage);
  return b;
};
const json = async (p: Promise<{ json: unknown }>) => (await p).json;

/** Every command: `<group> <action>` → the admin API call it makes. */
export const COMMANDS: Record<string, Handler> = {
  'tenants list': (c) => json(c.request('GET', '/admin/tenants')),
  'tenants get': (c, a) => json(c.request('GET', `/admin/tenants/${need(a, 2, 'tenant id')}`)),
  'tenants create': (c, a) =>
    json(c.request('POST', '/admin/tenants', { id: decodeURIComponent(need(a, 2, 'tenant id')) })),
  'keys list': (c, a) => json(c.request('GET', `/admin/tenants/${need(a, 2, 'tenant id')}/keys`)),
  'keys create': (c, a) =>
    json(
      c.request('POST', `/admin/tenants/${need(a, 2, 'tenant id')}/keys`, {
        scopes: (opt(a, 'scopes') ?? 'jobs:write,jobs:read').split(','),
        ...(opt(a, 'expires-at') ? { expiresAt: opt(a, 'expires-at') } : {}),
        ...(keyBudgets(a) ? { budgets: keyBudgets(a) } : {}),
      }),
    ),
  'keys budget': (c, a) =>
    json(
      c.request('PATCH', `/admin/keys/${need(a, 2, 'key id')}`, {
        budgets: a.opts.none ? null : requiredKeyBudgets(a),
      }),
    ),
  'keys revoke': (c, a) => json(c.request('DELETE', `/admin/keys/${need(a, 2, 'key id')}`)),
  'jobs get': (c, a) => json(c.request('GET', `/admin/jobs/${need(a, 2, 'job id')}`)),
  'jobs cancel': (c, a) => json(c.request('DELETE', `/admin/jobs/${need(a, 2, 'job id')}`)),
  'jobs retry': (c, a) => {
    if (a.words[2]) return json(c.request('POST', `/admin/jobs/${need(a, 2, 'job id')}/retry`));
    const filter = {
      ...(a.opts.all ? { all: true } : {}),
      ...(opt(a, 'deployment') ? { deployment: opt(a, 'deployment') } : {}),
      ...(opt(a, 'code') ? { code: opt(a, 'code') } : {}),
      ...(opt(a, 'tenant') ? { tenantId: opt(a, 'tenant') } : {}),
      ...(opt(a, 'limit') ? { limit: Number(opt(a, 'limit')) } : {}),
    };
    return json(c.request('POST', '/admin/jobs/retry', filter));
  },
  'jobs failures': (c, a) =>
    json(c.request('GET', `/admin/failures${query(a, ['deployment', 'code', 'limit'])}`)),
  'queues stats': (c) => json(c.request('GET', '/admin/queues/stats')),
  'queues pause': (c, a) =>
    json(c.request('POST', `/admin/deployments/${need(a, 2, 'deployment id')}/pause`)),
  'queues resume': (c, a) =>
    json(c.request('POST', `/admin/deployments/${need(a, 2, 'deployment id')}/resume`)),
  'queues drain': (c, a) =>
    json(
      c.request(
        'POST',
        `/admin/deployments/${need(a, 2, 'deployment id')}/drain${query(a, ['wait'])}`,
      ),
    ),
  'usage report': (c, a) =>
    json(c.request('GET', `/admin/usage${query(a, ['from', 'to', 'tenant'])}`)),
  'webhooks dead': (c, a) => json(c.request('GET', `/admin/webhooks/dead${query(a, ['limit'])}`)),
  'webhooks replay': (c, a) =>
    a.words[2]
      ? json(c.request('POST', `/admin/webhooks/dead/${need(a, 2, 'delivery id')}/replay`))
      : a.opts.all
        ? json(c.request('POST', '/admin/webhooks/dead/replay', {}))
        : Promise.reject(new CliError('Give a delivery id or --all', EXIT.usage)),
};

/** Text output of a command for people (`--json` prints the API's JSON instead). */
export function humanOutput(command: string, result: unknown): string {
  const data = (result as { data?: unknown[] } | null)?.data;
  if (command === 'usage report') return toCsv((data ?? []) as Record<string, unknown>[]);
  if (command === 'queues stats') {
    const rows = (data ?? []) as {
      deployment: string;
      paused: boolean;
      counts: Record<string, number>;
      calls: { perMinute: number; p95Ms: number | null };
    }[];
    return toCsv(
      rows.map((r) => ({
        deployment: r.deployment,
        state: r.paused ? 'paused' : 'running',
        waiting: r.counts.waiting + r.counts.prioritized,
        active: r.counts.active,
        delayed: r.counts.delayed,
        failed: r.counts.failed,
        perMinute: r.calls.perMinute,
        p95Ms: r.calls.p95Ms ?? '',
      })),
    );
  }
  if (Array.isArray(data)) return toCsv(data as Record<string, unknown>[]);
  return JSON.stringify(result, null, 2);
}
