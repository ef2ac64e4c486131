import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { JobRecord } from '@gateway/contracts';
import { createLogger, initTracing, startSpan, withActiveSpan } from '@gateway/observability';
import { ProviderError } from '@gateway/providers';
import { LogObserver } from './log-observer';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

const SECRET = 'sk-live-THIS-IS-A-SECRET-0123456789';
const record = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'job_mbx1234567abcdefghijkl3',
  tenantId: 'acme',
  task: 'summarize',
  status: 'succeeded',
  priority: 'normal',
  createdAt: new Date().toISOString(),
  startedAt: null,
  finishedAt: new Date().toISOString(),
  attempts: 1,
  route: {
    deployment: 'fast-llm',
    provider: 'local',
    model: 'fast',
    reason: 'priority',
    candidates: ['fast-llm'],
    fallbacks: [],
  },
  cached: false,
  output: { summary: `the output mentions ${SECRET}` },
  error: null,
  usage: { inputTokens: 12, outputTokens: 5 },
  costUsd: 0.0001,
  timings: { queuedMs: 1, providerMs: 2, totalMs: 3 },
  policy: { redactions: {} },
  metadata: { apiKey: SECRET },
  correlationId: null,
  ...over,
});

test('log lines of a job carry its ids and trace id, never payloads or secrets', () => {
  initTracing('spec');
  const { lines, stream } = capture();
  const obs = new LogObserver(createLogger('worker-llm', 'info', stream));
  const span = startSpan('job.process', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  withActiveSpan(span, () => {
    obs.onSucceeded(record());
    obs.onFailed(
      record({
        status: 'failed',
        error: { code: 'server_error', message: `upstream said ${SECRET}`, retryable: true },
      }),
    );
    obs.onRetry('fast-llm', new ProviderError('server_error', 'boom'), record());
    obs.onFallback('fast-llm', 'slow-llm', new ProviderError('overloaded', 'busy'), record());
  });
  span.end();
  assert.equal(lines.length, 4);
  for (const l of lines) {
    assert.equal(l.jobId, 'job_mbx1234567abcdefghijkl3');
    assert.equal(l.tenantId, 'acme');
    assert.equal(l.deployment, 'fast-llm');
    assert.equal(l.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  }
  assert.equal(lines[1].code, 'server_error');
  assert.equal(lines[2].msg, 'job attempt will be retried');
  assert.deepEqual(
    [lines[3].from, lines[3].to, lines[3].code],
    ['fast-llm', 'slow-llm', 'overloaded'],
  );
  assert.doesNotMatch(JSON.stringify(lines), /sk-live/);
});

test('the logger redacts credentials wherever a caller puts them', () => {
  const { lines, stream } = capture();
  const log = createLogger('ingest-api', 'info', stream);
  log.info({ req: { headers: { authorization: `Bearer ${SECRET}` } }, apiKey: SECRET }, 'x');
  log.info({ provider: { apiKey: SECRET, secret: SECRET } }, 'y');
  assert.equal(lines.length, 2);
  assert.doesNotMatch(JSON.stringify(lines), /sk-live/);
});
