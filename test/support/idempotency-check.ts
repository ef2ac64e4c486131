import assert from 'node:assert/strict';
import { call } from './http';

/**
 * The Idempotency-Key promise, checked over HTTP: the same key and body give the same job
 * (200 on the second call, which may go to another ingest process), another body answers
 * 409 `idempotency_conflict`, and another tenant using the same key gets a job of its own.
 * Then a race: 12 submissions of one new key at once, alternating between the two URLs,
 * make exactly one job (one 202, eleven 200 with its id).
 */
export async function assertIdempotency(o: {
  first: string;
  second: string;
  key: string;
  otherKey: string;
}): Promise<void> {
  const body = { task: 'classify', input: { text: 'great', labels: ['good', 'bad'] } };
  const headers = { 'idempotency-key': `idem-${Date.now()}-${Math.random()}` };
  const a = await call(`${o.first}/v1/jobs`, { key: o.key, body, headers });
  // The same body with its fields in another order is the same body.
  const b = await call(`${o.second}/v1/jobs`, {
    key: o.key,
    body: { input: body.input, task: body.task },
    headers,
  });
  assert.equal(a.status, 202, JSON.stringify(a.body));
  assert.equal(b.status, 200);
  assert.equal(b.body.id, a.body.id);
  const c = await call(`${o.first}/v1/jobs`, {
    key: o.key,
    body: { ...body, input: { ...body.input, text: 'bad' } },
    headers,
  });
  assert.equal(c.status, 409);
  assert.equal(c.body.error.code, 'idempotency_conflict');
  // Keys are per tenant: another tenant with the same key gets its own job.
  const d = await call(`${o.first}/v1/jobs`, { key: o.otherKey, body, headers });
  assert.equal(d.status, 202);
  assert.notEqual(d.body.id, a.body.id);

  const raced = { 'idempotency-key': `race-${Date.now()}-${Math.random()}` };
  const all = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      call(`${i % 2 ? o.second : o.first}/v1/jobs`, { key: o.key, body, headers: raced }),
    ),
  );
  const statuses = all.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
  assert.equal(new Set(all.map((r) => r.body.id)).size, 1, 'one job for the key');
}
