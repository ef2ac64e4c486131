import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { bearer, BODY_LIMIT, ownedId, startFixture, type Fixture, type Sent } from './fixture';
import { errorShapeProblem, pathOf, ROUTES, shapeRoute, type RouteSpec } from './routes';

// Property-based fuzzing of every route in the table: never a 5xx, always the documented
// error shape, and a refused request changes nothing. FUZZ_RUNS raises the count per route.
const RUNS = Number(process.env.FUZZ_RUNS) > 0 ? Number(process.env.FUZZ_RUNS) : 30;

const HEADER_NAMES = [
  'accept',
  'idempotency-key',
  'traceparent',
  'x-request-id',
  'cookie',
  'x-forwarded-for',
  'origin',
  'accept-encoding',
  'x-api-key',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/xml',
  'application/octet-stream',
  '*/*',
];
const WEIRD_IDS = [
  '../../admin/tenants',
  '..',
  '%00',
  'job_' + 'a'.repeat(600),
  "' OR 1=1 --",
  '{"$gt":""}',
  '*',
  '__proto__',
  '\u0000',
  '😀',
];
const QUERY_KEYS = ['wait', 'limit', 'cursor', 'status', '__proto__', 'constructor', 'x'];
const QUERY_VALUES = ['-1', '0', '1e309', 'NaN', '60.5', '61', '101', '100000', 'true', '', '[]'];

const printable = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const invalidUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((b) => Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, ...b, 0xc3, 0x28, 0x22, 0x7d]));
/** A valid job body with parts replaced by anything: reaches deep into validation. */
const mutatedJob = fc.record(
  {
    task: fc.oneof(
      fc.constantFrom('chat', 'summarize', 'classify', 'embed', 'image.ocr'),
      fc.anything(),
    ),
    input: fc.oneof(fc.constant({ text: 'x', labels: ['a'] }), fc.anything()),
    model: fc.anything(),
    priority: fc.anything(),
    metadata: fc.anything(),
    webhook: fc.oneof(fc.constant({ url: 'http://10.0.0.1/x' }), fc.anything()),
    __proto__: fc.anything(),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  mutatedJob.map((v) => JSON.stringify(v)),
  printable,
  invalidUtf8,
);

function requestFor(fx: Fixture, r: RouteSpec) {
  const ids = fc.oneof(
    r.id && !r.stream && r.auth === 'tenant'
      ? fc.constantFrom(ownedId(fx, r, 'acme'), ownedId(fx, r, 'globex'))
      : fc.constant('unknown-id'),
    fc.string({ maxLength: 40 }),
    fc.constantFrom(...WEIRD_IDS),
  );
  const auth = fc.constantFrom<Record<string, string>>(
    bearer(fx.keys.acme),
    bearer(fx.keys.globex),
    bearer(fx.gw.adminKey),
    {},
    { authorization: 'Bearer gw_' + 'x'.repeat(40) },
    { authorization: 'Basic YWRtaW46YWRtaW4=' },
  );
  return fc.record({
    id: ids,
    query: fc.dictionary(
      fc.oneof(fc.constantFrom(...QUERY_KEYS), printable),
      fc.oneof(fc.constantFrom(...QUERY_VALUES), fc.string({ maxLength: 30 })),
      { maxKeys: 4 },
    ),
    auth,
    headers: fc.dictionary(fc.constantFrom(...HEADER_NAMES), printable, { maxKeys: 3 }),
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
    body: r.method === 'GET' ? fc.constant(undefined) : fc.option(body, { nil: undefined }),
  });
}

describe('fuzzing every route in the table', () => {
  let fx: Fixture;
  let tried = 0;
  before(async () => {
    fx = await startFixture();
  });
  after(async () => {
    console.log(`[security] fuzz: ${tried} requests over ${ROUTES.length} routes`);
    await fx?.stop();
  });

  /** Sends one request and checks the three promises; returns the answer's status. */
  async function check(sent: Sent, baseline: { state: string }, r: RouteSpec): Promise<number> {
    tried++;
    const res = await fx.send(sent);
    const what = `${sent.method} ${sent.path} → ${res.status} ${res.text.slice(0, 300)}`;
    assert.ok(res.status < 500, `no 5xx: ${what}`);
    assert.equal(
      errorShapeProblem(res.status, res.body, shapeRoute(r, sent.path)),
      undefined,
      what,
    );
    const now = await fx.state();
    if (res.status >= 400) assert.equal(now, baseline.state, `a refusal changed state: ${what}`);
    baseline.state = now;
    return res.status;
  }

  for (const r of ROUTES) {
    it(`${r.method} ${r.path}: random input never breaks it`, async () => {
      const baseline = { state: await fx.state() };
      // The table must match the app: with a valid caller the route exists.
      const probe = await fx.send({
        method: r.method,
        path: pathOf(r, 'unknown-id'),
        headers: r.auth === 'admin' ? bearer(fx.gw.adminKey) : bearer(fx.keys.acme),
      });
      assert.ok(
        !(probe.status === 404 && /No such route/.test(probe.text)),
        `${r.method} ${r.path} is in the table but not served`,
      );
      await fc.assert(
        fc.asyncProperty(requestFor(fx, r), async (q) => {
          const qs = new URLSearchParams(q.query).toString();
          const headers: Record<string, string> = { ...q.headers, ...q.auth };
          if (q.contentType) headers['content-type'] = q.contentType;
          await check(
            {
              method: r.method,
              path: pathOf(r, q.id) + (qs ? `?${qs}` : ''),
              headers,
              body: q.body,
            },
            baseline,
            r,
          );
        }),
        { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED) || undefined },
      );
    });
  }

  it('refuses adversarial bodies on every body route with 4xx and changes nothing', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const deepObj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const cases: { name: string; body: string | Uint8Array; type?: string }[] = [
      { name: 'array nested 20,000 deep', body: deep(20_000) },
      { name: 'object nested 10,000 deep', body: deepObj(10_000) },
      { name: 'over the body limit', body: JSON.stringify({ task: 'x'.repeat(BODY_LIMIT) }) },
      { name: 'invalid UTF-8', body: Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) },
      { name: 'UTF-8 BOM', body: '\ufeff{"task":"classify"}' },
      { name: 'empty', body: '' },
      { name: 'null', body: 'null' },
      {
        name: 'prototype pollution',
        body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
      },
      { name: 'duplicate keys', body: '{"task":"classify","task":"chat","input":{}}' },
      { name: 'huge number', body: '{"task":1e400,"input":{"text":"x","labels":["a"]}}' },
      {
        name: 'form encoded',
        body: 'task=classify&input=x',
        type: 'application/x-www-form-urlencoded',
      },
      {
        name: 'multipart',
        body: '--zz\r\n\r\nx\r\n--zz--',
        type: 'multipart/form-data; boundary=zz',
      },
      { name: 'no content type', body: '{"task":"classify"}', type: '' },
    ];
    const baseline = { state: await fx.state() };
    for (const r of ROUTES.filter((x) => x.body)) {
      const auth = r.auth === 'admin' ? bearer(fx.gw.adminKey) : bearer(fx.keys.acme);
      for (const c of cases) {
        const headers: Record<string, string> = { ...auth };
        if (c.type !== '') headers['content-type'] = c.type ?? 'application/json';
        const status = await check(
          { method: r.method, path: pathOf(r, 'victim'), headers, body: c.body },
          baseline,
          r,
        ).catch((e: Error) => {
          throw new Error(`${c.name} on ${r.method} ${r.path}: ${e.message}`);
        });
        assert.ok(status >= 400, `${c.name} on ${r.method} ${r.path} was accepted (${status})`);
      }
    }
  });
});
