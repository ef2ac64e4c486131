import { Keys, SHARDS } from '@gateway/queue';
import { Redis } from 'ioredis';
import type { Gateway } from './gateway-harness';
import { call } from './http';
import type { CollectedEvent } from './kafka-collector';

/**
 * Load and bookkeeping helpers for the fault-injection tests: submit many jobs with bounded
 * concurrency, wait for them all, and check what reached Kafka after de-duplication.
 */

/** Sizes of the fault tests: small for `npm test`, raised by `npm run test:reliability`. */
export const SIZES = {
  /** Jobs in flight during a worker-kill run. */
  jobs: envInt('RELIABILITY_JOBS', 200),
  /** How many times the worker is SIGKILLed during that run. */
  kills: envInt('RELIABILITY_KILLS', 1),
  /** Seconds the broker stays down in the long Kafka outage test. */
  kafkaOutageSec: envInt('RELIABILITY_KAFKA_OUTAGE_S', 120),
  /** Dispatcher kills while events are being relayed. */
  dispatcherKills: envInt('RELIABILITY_DISPATCHER_KILLS', 2),
};

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export interface Accepted {
  readonly id: string;
  /** When the 202 arrived (ms since the epoch). */
  readonly acceptedAt: number;
}

export interface JobView {
  id: string;
  status: string;
  attempts: number;
  route: {
    deployment: string;
    fallbacks: { from: string; to: string; error: { code: string; message: string } }[];
  };
  error: { code: string } | null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** Submits `n` jobs built by `body(i)`; every one must be accepted with 202. */
export async function submitMany(
  gw: Gateway,
  key: string,
  n: number,
  body: (i: number) => unknown,
  concurrency = 16,
): Promise<Accepted[]> {
  return mapLimit(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      const r = await call<{ id: string }>(`${gw.url}/v1/jobs`, { key, body: body(i) });
      if (r.status !== 202) throw new Error(`job ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.id, acceptedAt: Date.now() };
    },
  );
}

/** Long-polls every job until it is terminal, or fails naming the jobs still open. */
export async function waitAllTerminal(
  gw: Gateway,
  key: string,
  ids: readonly string[],
  timeoutMs: number,
): Promise<Map<string, JobView>> {
  const deadline = Date.now() + timeoutMs;
  const done = new Map<string, JobView>();
  const terminal = new Set(['succeeded', 'failed', 'cancelled']);
  while (done.size < ids.length && Date.now() < deadline) {
    const open = ids.filter((id) => !done.has(id));
    await mapLimit(open, 32, async (id) => {
      const left = Math.max(1, Math.min(10, Math.floor((deadline - Date.now()) / 1000)));
      const r = await call<JobView>(`${gw.url}/v1/jobs/${id}?wait=${left}`, { key }).catch(
        () => undefined,
      );
      if (r?.status === 200 && terminal.has(r.body.status)) done.set(id, r.body);
    });
    if (done.size < ids.length) await sleep(200);
  }
  if (done.size < ids.length) {
    const open = ids.filter((id) => !done.has(id));
    throw new Error(`${open.length} of ${ids.length} jobs not terminal in time: ${open[0]}…`);
  }
  return done;
}

/** Events of a topic de-duplicated by CloudEvents id; also how many copies were dropped. */
export function dedupe(
  events: readonly CollectedEvent[],
  topic: string,
): { unique: CollectedEvent[]; duplicates: number; conflicting: string[] } {
  const byId = new Map<string, CollectedEvent>();
  let duplicates = 0;
  const conflicting: string[] = [];
  for (const e of events) {
    if (e.topic !== topic) continue;
    const id = String(e.value.id);
    const seen = byId.get(id);
    if (!seen) byId.set(id, e);
    else {
      duplicates++;
      // A redelivery must be the same event, byte for byte, not another outcome.
      if (JSON.stringify(seen.value) !== JSON.stringify(e.value)) conflicting.push(id);
    }
  }
  return { unique: [...byId.values()], duplicates, conflicting };
}

/** Audit events of a job action, keyed by job id, counting distinct event ids. */
export function auditCounts(
  events: readonly CollectedEvent[],
  topic: string,
  action: string,
): Map<string, number> {
  const ids = new Map<string, Set<string>>();
  for (const e of events) {
    const data = e.value.data as { jobId?: string; action?: string } | undefined;
    if (e.topic !== topic || data?.action !== action || !data.jobId) continue;
    const set = ids.get(data.jobId) ?? new Set<string>();
    set.add(String(e.value.id));
    ids.set(data.jobId, set);
  }
  return new Map([...ids].map(([k, v]) => [k, v.size]));
}

/**
 * SIGKILLs a dispatcher while it holds outbox entries it read but did not acknowledge (a
 * relay part-way through a Kafka send): it is frozen (SIGSTOP) the moment Redis shows
 * entries pending for its consumer, and killed only if they are still pending then.
 * Returns how many entries it left behind; 0 when it never held any within `timeoutMs`.
 */
export async function killMidRelay(gw: Gateway, name: string, timeoutMs = 15_000): Promise<number> {
  const redis = new Redis(gw.redisUrl);
  const keys = new Keys(gw.prefix);
  const held = async () => {
    const pipe = redis.pipeline();
    for (let shard = 0; shard < SHARDS; shard++)
      pipe.xpending(keys.outbox(shard), 'relay', '-', '+', 100_000, `relay-${name}`);
    const res = (await pipe.exec()) ?? [];
    return res.reduce((n, [err, v]) => n + (err ? 0 : (v as unknown[]).length), 0);
  };
  const proc = gw.procs.get(name);
  try {
    const deadline = Date.now() + timeoutMs;
    while (proc && Date.now() < deadline) {
      if ((await held()) > 0) {
        proc.kill('SIGSTOP');
        const left = await held();
        if (left > 0) {
          await gw.kill(name, 'SIGKILL');
          return left;
        }
        proc.kill('SIGCONT');
      }
      await sleep(1);
    }
    await gw.kill(name, 'SIGKILL');
    return 0;
  } finally {
    redis.disconnect();
  }
}

/** True once every job has its result event and its accepted and succeeded audit events. */
export function everyJobRelayed(
  events: readonly CollectedEvent[],
  topics: { results: string; audit: string },
  ids: readonly string[],
): boolean {
  const results = new Set(events.filter((e) => e.topic === topics.results).map((e) => e.value.id));
  const accepted = auditCounts(events, topics.audit, 'job.accepted');
  const succeeded = auditCounts(events, topics.audit, 'job.succeeded');
  return ids.every((id) => results.has(id) && accepted.has(id) && succeeded.has(id));
}

/** Jobs whose accepted or succeeded audit event arrived under more than one event id. */
export function auditIdsNotUnique(
  events: readonly CollectedEvent[],
  audit: string,
  ids: readonly string[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const action of ['job.accepted', 'job.succeeded']) {
    const counts = auditCounts(events, audit, action);
    const bad = ids.filter((id) => counts.get(id) !== 1);
    if (bad.length) out[action] = bad;
  }
  return out;
}
