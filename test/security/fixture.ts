import { Keys } from '@gateway/queue';
import { Redis } from 'ioredis';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { pathOf, type RouteSpec } from './routes';

/**
 * A gateway for abuse tests: two tenants with a job and a webhook endpoint each, and a
 * sacrificial tenant and key for admin routes that change things. The body limit is small
 * so oversized bodies are cheap to send.
 */
export const BODY_LIMIT = 64 * 1024;

/** Planted secret of a vendor provider: it must never show in a log, event or error. */
export const VENDOR_SECRET = 'sk-planted-d7c1f0e2a9b84c55b1e3';

// The vendor deployment points at a closed port: its jobs fail, and the failure must not
// carry the credential anywhere.
const CONFIG = `
providers:
  - { id: local, type: local }
  - { id: vendor, type: openai, baseUrl: 'http://127.0.0.1:9/v1', apiKey: '\${VENDOR_SECRET}', timeoutMs: 2000 }
deployments:
  - { id: local-llm, provider: local, model: local-llm, class: llm, tasks: [chat, summarize, classify, extract] }
  - { id: vendor-llm, provider: vendor, model: gpt-4o-mini, class: llm, tasks: [classify], attempts: 1 }
routes:
  - { match: { model: vendor }, strategy: priority, targets: [vendor-llm] }
  - { match: { task: classify }, strategy: priority, targets: [local-llm] }
tenants:
  - { id: acme, limits: { rpm: 1000000 } }
  - { id: globex, limits: { rpm: 1000000 } }
  - { id: victim, limits: { rpm: 1000000 } }
webhooks: { allowHosts: ['127.0.0.1'] }
`;

export interface Fixture {
  gw: Gateway;
  redis: Redis;
  keys: { acme: string; globex: string; victim: string };
  victimKeyId: string;
  jobs: { acme: string; globex: string };
  webhooks: { acme: string; globex: string };
  /** An uploaded batch input file and a batch made from it, per tenant (OpenAI routes). */
  files: { acme: string; globex: string };
  batches: { acme: string; globex: string };
  /** A digest of every piece of state a refused request must leave alone. */
  state(): Promise<string>;
  /** Sends one request; never throws on an HTTP answer. */
  send(r: Sent): Promise<{ status: number; body: unknown; text: string }>;
  stop(): Promise<void>;
}

export interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export async function startFixture(
  opts: { apps?: Parameters<typeof startGateway>[0]['apps']; env?: Record<string, string> } = {},
) {
  const gw = await startGateway({
    config: CONFIG,
    apps: opts.apps ?? ['ingest-api'],
    env: { BODY_LIMIT_BYTES: String(BODY_LIMIT), VENDOR_SECRET, ...opts.env },
  });
  try {
    return await setUp(gw);
  } catch (e) {
    // A fixture that fails half-way must not leave its gateway running (the file would hang).
    await gw.stop();
    throw e;
  }
}

async function setUp(gw: Gateway): Promise<Fixture> {
  const redis = new Redis(gw.redisUrl);
  const keys = {
    acme: await gw.tenantKey('acme', undefined, true),
    globex: await gw.tenantKey('globex', undefined, true),
    victim: await gw.tenantKey('victim', undefined, true),
  };
  const victimKeys = await call<{ data: { id: string }[] }>(`${gw.url}/admin/tenants/victim/keys`, {
    key: gw.adminKey,
  });
  const job = async (key: string) =>
    (
      await call<{ id: string }>(`${gw.url}/v1/jobs`, {
        key,
        body: { task: 'classify', input: { text: 'fine', labels: ['a', 'b'] } },
      })
    ).body.id;
  const hook = async (key: string) => {
    const r = await call<{ id: string }>(`${gw.url}/v1/webhooks`, {
      key,
      body: { url: 'http://127.0.0.1:9/hook' },
    });
    if (r.status !== 201) throw new Error(`webhook create: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  };
  const file = async (key: string) => {
    const line = {
      custom_id: 'only',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'local-llm', messages: [{ role: 'user', content: 'hello' }] },
    };
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([JSON.stringify(line) + '\n']), 'in.jsonl');
    const r = await fetch(`${gw.url}/v1/files`, {
      method: 'POST',
      headers: bearer(key),
      body: form,
    });
    const body = (await r.json()) as { id: string };
    if (r.status !== 200 && r.status !== 201)
      throw new Error(`file upload: ${r.status} ${JSON.stringify(body)}`);
    return body.id;
  };
  const batch = async (key: string, inputFileId: string) => {
    const r = await call<{ id: string }>(`${gw.url}/v1/batches`, {
      key,
      body: {
        input_file_id: inputFileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      },
    });
    if (r.status !== 200 && r.status !== 201)
      throw new Error(`batch create: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  };
  const files = { acme: await file(keys.acme), globex: await file(keys.globex) };
  const batches = {
    acme: await batch(keys.acme, files.acme),
    globex: await batch(keys.globex, files.globex),
  };
  const send = async (r: Sent) => {
    const res = await fetch(`${gw.url}${r.path}`, {
      method: r.method,
      headers: r.headers,
      body: r.body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, text };
  };
  const jobs = { acme: await job(keys.acme), globex: await job(keys.globex) };
  // A batch fans its line out as a job in the background: wait for it, so the state digest
  // only changes when a test changes it.
  for (const t of ['acme', 'globex'] as const) {
    const deadline = Date.now() + 15_000;
    while ((await redis.zcard(`${gw.prefix}:{t:${t}}:jobs`)) < 2) {
      if (Date.now() > deadline) throw new Error(`the ${t} batch never fanned out`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const fx: Fixture = {
    gw,
    redis,
    keys,
    victimKeyId: victimKeys.body.data[0].id,
    jobs,
    webhooks: { acme: await hook(keys.acme), globex: await hook(keys.globex) },
    files,
    batches,
    send,
    async state() {
      const admin = { authorization: `Bearer ${gw.adminKey}` };
      const parts: unknown[] = [];
      for (const t of ['acme', 'globex', 'victim'] as const) {
        parts.push(await redis.zrange(`${gw.prefix}:{t:${t}}:jobs`, '0', '-1'));
        parts.push(
          (await send({ method: 'GET', path: `/admin/tenants/${t}/keys`, headers: admin })).text,
        );
        parts.push(
          (await send({ method: 'GET', path: '/v1/webhooks', headers: bearer(keys[t]) })).text,
        );
      }
      parts.push((await send({ method: 'GET', path: '/admin/tenants', headers: admin })).text);
      for (const id of Object.values(fx.jobs))
        parts.push(await redis.hget(`${jobKey(gw, id)}`, 'status'));
      return JSON.stringify(parts);
    },
    async stop() {
      redis.disconnect();
      await gw.stop();
    },
  };
  return fx;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const jobKey = (gw: Gateway, id: string) => new Keys(gw.prefix).job(id);

/** The id an `:id` route of `owner` names, for object-level checks. */
export function ownedId(fx: Fixture, r: RouteSpec, owner: 'acme' | 'globex'): string {
  if (r.id === 'job') return fx.jobs[owner];
  if (r.id === 'webhook') return fx.webhooks[owner];
  if (r.id === 'file') return fx.files[owner];
  if (r.id === 'batch') return fx.batches[owner];
  throw new Error(`No ${owner}-owned object for ${r.method} ${r.path}`);
}

export const url = (r: RouteSpec, id?: string) => pathOf(r, id);
