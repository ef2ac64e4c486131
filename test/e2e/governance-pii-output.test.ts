import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RedisClient } from '@gateway/storage';
import { keysMatching, startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { readSse } from '../support/sse';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: talk-llm, provider: local, model: talk, class: llm, tasks: [chat, summarize],
      simulate: { latencyMs: 400 } }
routes:
  - { match: { task: summarize, metadata: { flow: cached } }, targets: [talk-llm], cache: { ttlSeconds: 600 } }
  - { match: { task: summarize, metadata: { flow: strict } }, targets: [talk-llm], pii: block }
  - { match: { task: summarize, metadata: { flow: scrub } }, targets: [talk-llm], piiOutput: redact }
  - { match: { task: summarize, metadata: { flow: withhold } }, targets: [talk-llm], piiOutput: block }
  - { match: { task: chat }, targets: [talk-llm] }
tenants:
  - { id: pseudo, pii: pseudonymise }
  - { id: guarded, piiOutput: mask }
`;
const ANN = 'ann.lee@example.org';
const BOB = 'bob.stone@example.net';
const text = (email: string) =>
  `Write to ${email} about the invoice today. The invoice is due on Friday.`;

describe('PII per route, on outputs, in streams and in the response cache', () => {
  let gw: Gateway;
  let redis: RedisClient;
  let pseudo: string;
  let guarded: string;

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm', 'dispatcher'] });
    redis = gw.redis();
    pseudo = await gw.tenantKey('pseudo', undefined, true);
    guarded = await gw.tenantKey('guarded', undefined, true);
  });
  after(async () => {
    redis?.disconnect();
    await gw?.stop();
  });

  const submit = (key: string, flow: string, input: string) =>
    call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', metadata: { flow }, input: { text: input } },
    });
  const finished = async (key: string, id: string) =>
    (await call(`${gw.url}/v1/jobs/${id}?wait=20`, { key })).body;

  it('caches the placeholder form: each hit gets its own values back, never another job’s', async () => {
    const a = await submit(pseudo, 'cached', text(ANN));
    assert.equal(a.status, 202);
    const aDone = await finished(pseudo, a.body.id);
    assert.equal(aDone.status, 'succeeded');
    assert.match(JSON.stringify(aDone.output), new RegExp(ANN.replace('.', '\\.')));
    // The worker stores the cache entry just after the result.
    const cacheKeys = async () => {
      for (let i = 0; i < 50; i++) {
        const found = await keysMatching(redis, `${gw.prefix}:{t:pseudo}:cache:*`);
        if (found.length) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      return [];
    };
    const keys = await cacheKeys();
    assert.equal(keys.length, 1);
    const cached = (await redis.get(keys[0]))!;
    assert.ok(cached.includes('[EMAIL_1]') && !cached.includes(ANN), cached);

    // Another person's address, same shape: a hit, restored with this job's own mapping.
    const b = await submit(pseudo, 'cached', text(BOB));
    assert.equal(b.status, 202);
    assert.equal(b.body.cached, true);
    const bOut = JSON.stringify(b.body.output);
    assert.ok(bOut.includes(BOB) && !bOut.includes(ANN), bOut);
    // A client who typed the placeholder itself has no mapping: it gets the placeholder.
    const c = await submit(pseudo, 'cached', text('[EMAIL_1]'));
    assert.equal(c.status, 202);
    assert.equal(c.body.cached, true);
    const cOut = JSON.stringify(c.body.output);
    assert.ok(cOut.includes('[EMAIL_1]') && !cOut.includes(ANN) && !cOut.includes(BOB), cOut);
  });

  it('applies a route’s input policy over the tenant’s', async () => {
    const refused = await submit(pseudo, 'strict', text(ANN));
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'policy_violation');
    assert.match(refused.body.error.message, /its route/);
    assert.ok(!JSON.stringify(refused.body).includes(ANN));
    const clean = await submit(pseudo, 'strict', 'The invoice is due on Friday. Pay it soon.');
    assert.equal(clean.status, 202);
  });

  it('scans outputs: masks, redacts per route, blocks, and gives pseudonymised values back', async () => {
    // Tenant policy on outputs: mask what the model wrote.
    const masked = await submit(guarded, 'plain', text(ANN));
    assert.equal(masked.status, 202);
    assert.equal(masked.body.policy.output, 'mask');
    const m = await finished(guarded, masked.body.id);
    assert.equal(m.status, 'succeeded');
    assert.ok(!JSON.stringify(m.output).includes(ANN), JSON.stringify(m.output));
    assert.deepEqual(m.policy.outputRedactions, { email: 1 });
    // The route's output policy wins over the tenant's.
    const scrubbed = await finished(guarded, (await submit(guarded, 'scrub', text(ANN))).body.id);
    assert.match(JSON.stringify(scrubbed.output), /\[REDACTED_EMAIL\]/);
    assert.equal(scrubbed.policy.output, 'redact');
    // Blocked: the job fails and nothing of the output is kept.
    const withheld = await finished(
      guarded,
      (await submit(guarded, 'withhold', text(ANN))).body.id,
    );
    assert.equal(withheld.status, 'failed');
    assert.equal(withheld.error.code, 'content_filtered');
    assert.equal(withheld.output, null);
    assert.ok(!JSON.stringify(withheld).includes(ANN));
    // Values the client sent (pseudonymised on the way in) come back; the scan sees placeholders.
    const own = await finished(pseudo, (await submit(pseudo, 'scrub', text(ANN))).body.id);
    assert.ok(JSON.stringify(own.output).includes(ANN), JSON.stringify(own.output));
    assert.equal(own.policy.outputRedactions, undefined);
  });

  const streamedChat = (email: string) => ({
    task: 'chat',
    input: {
      stream: true,
      messages: [{ role: 'user', content: `summarize: ${text(email)}` }],
    },
  });

  it('restores pseudonymised values in SSE deltas and masks scanned ones', async () => {
    const job = await call(`${gw.url}/v1/jobs`, { key: pseudo, body: streamedChat(ANN) });
    assert.equal(job.status, 202);
    const r = await readSse(`${gw.url}/v1/jobs/${job.body.id}/events`, pseudo, (evs) =>
      evs.some((e) => e.event === 'done'),
    );
    const deltas = r.events.filter((e) => e.event === 'delta').map((e) => e.data.text as string);
    assert.ok(deltas.length > 3, 'streamed in pieces');
    assert.ok(
      deltas.every((d) => !d.includes('[EMAIL_')),
      deltas.join('|'),
    );
    assert.ok(deltas.join('').includes(ANN), deltas.join('|'));
    const done = r.events.find((e) => e.event === 'done')!;
    assert.equal(deltas.join(''), done.data.output.message.content);
    // The delta stream at rest holds placeholders only.
    const raw = await redis.xrange(
      `${gw.prefix}:{s${'0123456789abcdefghijklmnopqrstuvwxyz'.indexOf(job.body.id.at(-1)) % 8}}:deltas:${job.body.id}`,
      '-',
      '+',
    );
    assert.ok(raw.length > 0 && !JSON.stringify(raw).includes(ANN));

    const scanned = await call(`${gw.url}/v1/jobs`, { key: guarded, body: streamedChat(ANN) });
    const s = await readSse(`${gw.url}/v1/jobs/${scanned.body.id}/events`, guarded, (evs) =>
      evs.some((e) => e.event === 'done'),
    );
    const sText = s.events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.text as string)
      .join('');
    assert.ok(sText.length > 0 && !sText.includes(ANN), sText);
  });

  it('restores pseudonymised values in the OpenAI façade stream', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pseudo}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'talk-llm',
        stream: true,
        messages: [{ role: 'user', content: `summarize: ${text(ANN)}` }],
      }),
    });
    assert.equal(res.status, 200);
    const body = await res.text();
    const pieces = body
      .split('\n\n')
      .filter((b) => b.startsWith('data: {'))
      .map((b) => JSON.parse(b.slice(6)) as { choices: { delta: { content?: string } }[] })
      .map((c) => c.choices[0]?.delta.content ?? '');
    const content = pieces.join('');
    assert.ok(content.includes(ANN), content);
    assert.ok(
      pieces.every((p) => !p.includes('[EMAIL_')),
      pieces.join('|'),
    );
  });
});
