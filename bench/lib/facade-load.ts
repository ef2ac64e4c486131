import { Agent, request } from 'undici';

const agent = new Agent({ connections: 64, keepAliveTimeout: 60_000, pipelining: 1 });

export interface Target {
  readonly url: string;
  readonly headers: Record<string, string>;
}

const BODY = JSON.stringify({
  model: 'bench-chat',
  messages: [
    { role: 'user', content: 'How do queues and workers share the load of many requests?' },
  ],
  max_tokens: 64,
});

/** One non-streaming chat completion; resolves with its latency in ms. */
export async function chatOnce(t: Target): Promise<number> {
  const start = performance.now();
  const res = await request(`${t.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: BODY,
    dispatcher: agent,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  return performance.now() - start;
}

/** One streaming chat completion; resolves with the time to the first content delta, in ms. */
export async function firstTokenMs(t: Target): Promise<number> {
  const start = performance.now();
  const res = await request(`${t.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: JSON.stringify({ ...(JSON.parse(BODY) as object), stream: true }),
    dispatcher: agent,
  });
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${await res.body.text()}`);
  let first = -1;
  let buf = '';
  for await (const c of res.body) {
    buf += (c as Buffer).toString('utf8');
    if (first < 0 && /"content":"[^"]/.test(buf)) first = performance.now() - start;
  }
  if (first < 0) throw new Error('stream carried no content');
  return first;
}

/** Runs `fn` with `concurrency` loops for `ms` (bounded), collecting each call's result. */
export async function closedLoop(
  fn: () => Promise<number>,
  concurrency: number,
  ms: number,
  maxCalls = 200_000,
): Promise<{ samples: number[]; seconds: number; errors: number; firstError?: string }> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const until = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until && samples.length + errors < maxCalls) {
        try {
          samples.push(await fn());
        } catch (e) {
          errors += 1;
          firstError ??= (e as Error).message.slice(0, 300);
        }
      }
    }),
  );
  return { samples, seconds: (performance.now() - start) / 1000, errors, firstError };
}

export function pct(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function closeLoad(): Promise<void> {
  await agent.close();
}
