/** Helpers shared by the backpressure tests and bench: submit many jobs, wait for them. */
import { Redis } from 'ioredis';
import {
  BackpressureKeys,
  BackpressureStatsReader,
  type BackpressureSnapshot,
} from '@gateway/queue';
import type { Gateway } from './gateway-harness';
import { call } from './http';

// A small token estimate keeps a thousand jobs under the default per-key tpm.
export const CHAT = {
  task: 'chat',
  input: { messages: [{ role: 'user', content: 'hi' }], maxTokens: 16 },
};

/** Submits `n` jobs, `parallel` at a time; returns ids of accepted ones and refusals. */
export async function submitMany(
  gw: Gateway,
  key: string,
  n: number,
  opts: { parallel?: number; body?: Record<string, unknown> } = {},
): Promise<{
  ids: string[];
  refused: { status: number; retryAfter: string | null; code: string }[];
}> {
  const ids: string[] = [];
  const refused: { status: number; retryAfter: string | null; code: string }[] = [];
  let next = 0;
  const one = async () => {
    while (next < n) {
      next++;
      const r = await call(`${gw.url}/v1/jobs`, { key, body: { ...CHAT, ...opts.body } });
      if (r.status === 202) ids.push(r.body.id);
      else
        refused.push({
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          code: r.body?.error?.code,
        });
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 16 }, one));
  return { ids, refused };
}

/** Long-polls every job to its end (bounded by `deadlineMs`); returns status counts. */
export async function waitAll(
  gw: Gateway,
  key: string,
  ids: readonly string[],
  deadlineMs = 60_000,
): Promise<Record<string, number>> {
  const end = Date.now() + deadlineMs;
  const counts: Record<string, number> = {};
  let next = 0;
  const one = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      let status = 'queued';
      while (Date.now() < end) {
        const r = await call(`${gw.url}/v1/jobs/${id}?wait=20`, { key });
        status = r.body.status;
        if (!['queued', 'running'].includes(status)) break;
      }
      counts[status] = (counts[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, one));
  return counts;
}

/** Reads the shared backpressure state of a deployment straight from Redis. */
export async function readBackpressure(
  gw: Gateway,
  deploymentId: string,
): Promise<BackpressureSnapshot | undefined> {
  const redis = new Redis(gw.redisUrl);
  try {
    const reader = new BackpressureStatsReader(
      redis,
      new BackpressureKeys(gw.prefix, `${gw.prefix}:bull`),
    );
    return (await reader.snapshot([deploymentId])).get(deploymentId);
  } finally {
    redis.disconnect();
  }
}
