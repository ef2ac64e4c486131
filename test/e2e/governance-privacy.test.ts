import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RedisClient } from '@gateway/storage';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: us-llm, provider: local, model: echo, class: llm, tasks: [chat, summarize], region: us }
routes:
  - { match: { model: echo }, strategy: priority, targets: [us-llm] }
tenants:
  - { id: pseudo, pii: pseudonymise }
  - { id: redactor, pii: redact }
  - { id: blocker, pii: block }
  - { id: euro, region: eu }
`;
const EMAIL = 'ann.lee@example.org';
const CARD = '4111 1111 1111 1111';
const IBAN = 'DE89370400440532013000';

describe('PII policies, residency, encryption at rest and a clean audit trail', () => {
  let gw: Gateway;
  let kafka: KafkaCollector;
  let redis: RedisClient;
  const issuedKeys: string[] = [];

  before(async () => {
    gw = await startGateway({
      config: CONFIG,
      env: { GATEWAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'debug' },
    });
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.audit, gw.topics.results]).start();
    redis = gw.redis();
  });
  after(async () => {
    redis?.disconnect();
    await kafka?.stop();
    await gw?.stop();
  });

  const keyFor = async (tenant: string) => {
    const k = await gw.tenantKey(tenant, undefined, true);
    issuedKeys.push(k);
    return k;
  };

  it('pseudonymises the input, restores the output, and stores neither in clear', async () => {
    const key = await keyFor('pseudo');
    const text = `Write to ${EMAIL} about the invoice today. The invoice goes to ${EMAIL} again.`;
    const res = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', input: { text } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body.policy.redactions, { email: 2 });
    const done = await call(`${gw.url}/v1/jobs/${res.body.id}?wait=20`, { key });
    assert.equal(done.body.status, 'succeeded');
    const stored = await redis.get(
      `${gw.prefix}:{s${'0123456789abcdefghijklmnopqrstuvwxyz'.indexOf(res.body.id.at(-1)) % 8}}:req:${res.body.id}`,
    );
    assert.ok(stored && stored.includes('$enc'), 'the request is encrypted at rest');
    assert.ok(!stored.includes(EMAIL) && !stored.includes('EMAIL_1'));
    const rawRecord = await redis.hget(
      `${gw.prefix}:{s${'0123456789abcdefghijklmnopqrstuvwxyz'.indexOf(res.body.id.at(-1)) % 8}}:job:${res.body.id}`,
      'data',
    );
    assert.ok(rawRecord && !rawRecord.includes(EMAIL), 'the output is encrypted at rest');
    // The extractive summary quotes the (pseudonymised) sentences: the client gets them restored.
    const out = JSON.stringify(done.body.output);
    assert.ok(out.includes(EMAIL) && !out.includes('[EMAIL_1]'), out);
    const event = await kafka.waitFor('the result event', (ev) =>
      ev.some((e) => e.topic === gw.topics.results && e.value.id === res.body.id),
    );
    void event;
    const result = kafka.events.find(
      (e) => e.topic === gw.topics.results && e.value.id === res.body.id,
    );
    assert.ok(JSON.stringify(result?.value).includes(EMAIL), 'the result event is restored too');
  });

  it('redacts with counts on the record and the audit, and blocks with 422', async () => {
    const key = await keyFor('redactor');
    const res = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', input: { text: `Card ${CARD}, IBAN ${IBAN}, mail ${EMAIL}.` } },
    });
    assert.equal(res.status, 202);
    assert.deepEqual(res.body.policy.redactions, { email: 1, card: 1, iban: 1 });
    const blocker = await keyFor('blocker');
    const blocked = await call(`${gw.url}/v1/jobs`, {
      key: blocker,
      body: { task: 'summarize', input: { text: `Card ${CARD}` } },
    });
    assert.equal(blocked.status, 422);
    assert.equal(blocked.body.error.code, 'policy_violation');
    assert.ok(!JSON.stringify(blocked.body).includes('4111'), 'the refusal names counts only');
    await kafka.waitFor(
      'pii audits',
      (ev) =>
        ev.some(
          (e) =>
            (e.value.data as any)?.action === 'pii.redacted' &&
            (e.value.data as any).jobId === res.body.id,
        ) &&
        ev.some(
          (e) =>
            (e.value.data as any)?.action === 'pii.redacted' &&
            (e.value.data as any).outcome === 'blocked',
        ),
    );
  });

  it('refuses a job no allowed region can serve with 422 residency_violation, audited', async () => {
    const key = await keyFor('euro');
    const res = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'echo', input: { text: 'Stay in the EU.' } },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'residency_violation');
    assert.match(res.body.error.message, /eu/);
    await kafka.waitFor('a residency audit', (ev) =>
      ev.some(
        (e) =>
          (e.value.data as any)?.action === 'residency.refused' &&
          (e.value.data as any).tenantId === 'euro',
      ),
    );
  });

  it('writes no raw PII and no key to any log line or event', async () => {
    await call(`${gw.url}/v1/jobs`, { key: 'gw_' + 'x'.repeat(48), body: {} });
    await kafka.waitFor('an auth failure audit', (ev) =>
      ev.some((e) => (e.value.data as any)?.action === 'auth.failed'),
    );
    await new Promise((r) => setTimeout(r, 500));
    const audit = JSON.stringify(kafka.events.filter((e) => e.topic === gw.topics.audit));
    const logs = gw.output();
    for (const secret of [
      EMAIL,
      CARD,
      IBAN,
      '4111111111111111',
      gw.adminKey,
      ...issuedKeys,
      'x'.repeat(48),
    ]) {
      assert.ok(!audit.includes(secret), `an audit event carries ${secret.slice(0, 6)}…`);
      assert.ok(!logs.includes(secret), `a log line carries ${secret.slice(0, 6)}…`);
    }
  });
});
