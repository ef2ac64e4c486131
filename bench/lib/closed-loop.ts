import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  /** Count of answers by HTTP status (errors included), to tell refusals apart. */
  readonly statuses: Record<string, number>;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * A closed loop: `concurrency` workers each send a request, wait for its answer, and send the
 * next, for `seconds` (and at most `maxRequests`). Latency is measured per request.
 */
export async function closedLoop(opts: {
  url: string;
  path: string;
  body: string;
  headers: Record<string, string>;
  concurrency: number;
  seconds: number;
  maxRequests?: number;
  okStatus: number;
}): Promise<LoadResult> {
  const pool = new Pool(opts.url, { connections: opts.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const statuses: Record<string, number> = {};
  const max = opts.maxRequests ?? Number.MAX_SAFE_INTEGER;
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end && sent < max) {
      sent++;
      const t = performance.now();
      try {
        const res = await pool.request({
          method: 'POST',
          path: opts.path,
          body: opts.body,
          headers: opts.headers,
        });
        await res.body.dump();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode !== opts.okStatus) errors++;
        else latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    statuses,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** Writes bench/results/<name>.json and .md. */
export function writeResults(name: string, json: unknown, markdown: string): void {
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(dir, `${name}.md`), markdown.trimEnd() + '\n');
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
