import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import { waitAllTerminal } from '../support/load';
import { startFixture, VENDOR_SECRET, type Fixture } from './fixture';

// Values planted in requests and config that must never come back out in a log line (any
// process, debug level), a Kafka event, or an error body.
const PII = {
  email: 'jane.roe.4821@example.org',
  card: '4111 1111 1111 1111',
  ssn: '078-05-1120',
};
const WRONG_TENANT_KEY = 'gw_plantedWrongKey0000000000000000000000';
const WRONG_ADMIN_KEY = 'adm_planted_wrong_admin_key_99999';

describe('no secret or raw PII in any log line, event or error', () => {
  let fx: Fixture;
  let kafka: KafkaCollector;
  const answers: string[] = [];
  before(async () => {
    fx = await startFixture({
      apps: ['ingest-api', 'worker-llm', 'dispatcher'],
      env: { LOG_LEVEL: 'debug' },
    });
    kafka = await new KafkaCollector(fx.gw.kafkaBrokers, [
      fx.gw.topics.results,
      fx.gw.topics.audit,
    ]).start();
  });
  after(async () => {
    await kafka?.stop();
    await fx?.stop();
  });

  it('scans every process output, every event and every error answer', async () => {
    const url = fx.gw.url;
    const key = fx.keys.acme;
    const text = `Call me at ${PII.email}, card ${PII.card}, SSN ${PII.ssn}. Great service!`;
    const ids: string[] = [];
    for (const body of [
      { task: 'classify', input: { text, labels: ['good', 'bad'] } },
      { task: 'classify', model: 'vendor', input: { text, labels: ['good', 'bad'] } },
    ]) {
      const r = await call<{ id: string }>(`${url}/v1/jobs`, {
        key,
        body,
        headers: { 'idempotency-key': `scan-${ids.length}` },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    const refusals = [
      await call(`${url}/v1/jobs`, { key: WRONG_TENANT_KEY, body: { task: 'classify' } }),
      await call(`${url}/admin/tenants`, { key: WRONG_ADMIN_KEY }),
      await call(`${url}/v1/jobs`, {
        key,
        body: { task: 'classify', input: { text, labels: text } },
      }),
      await call(`${url}/v1/jobs`, { key, body: { task: text, input: { text } } }),
      await call(`${url}/v1/jobs`, {
        key,
        raw: `{"task":"${text}`,
        headers: { 'content-type': 'application/json' },
      }),
      await call(`${url}/v1/webhooks`, {
        key,
        body: { url: `http://${PII.email}:${VENDOR_SECRET}@10.0.0.1/x` },
      }),
    ];
    for (const r of refusals) {
      assert.ok(r.status >= 400 && r.status < 500, JSON.stringify(r.body));
      answers.push(JSON.stringify(r.body));
    }
    const jobs = await waitAllTerminal(fx.gw, key, ids, 30_000);
    assert.equal(jobs.get(ids[0])!.status, 'succeeded');
    const failed = jobs.get(ids[1])!;
    assert.equal(failed.status, 'failed', 'the vendor job fails: its port is closed');
    answers.push(JSON.stringify(failed));
    await kafka.waitFor(
      'result events of both jobs',
      (ev) =>
        ids.every((id) => ev.some((e) => e.topic === fx.gw.topics.results && e.value.id === id)),
      30_000,
    );

    const haystacks: [string, string][] = [
      ['process output', fx.gw.output()],
      ['Kafka events', kafka.events.map((e) => JSON.stringify(e)).join('\n')],
      ['error answers', answers.join('\n')],
    ];
    const needles: [string, string][] = [
      ['tenant key', fx.keys.acme],
      ['tenant key', fx.keys.globex],
      ['admin key', fx.gw.adminKey],
      ['vendor credential', VENDOR_SECRET],
      ['presented wrong key', WRONG_TENANT_KEY],
      ['presented wrong admin key', WRONG_ADMIN_KEY],
      ['email', PII.email],
      ['card number', PII.card],
      ['card digits', PII.card.replace(/ /g, '')],
      ['SSN', PII.ssn],
    ];
    const leaks: string[] = [];
    for (const [where, hay] of haystacks) {
      for (const [what, needle] of needles) {
        const at = hay.indexOf(needle);
        if (at >= 0)
          leaks.push(`${what} in ${where}: …${hay.slice(Math.max(0, at - 120), at + 40)}…`);
      }
    }
    const lines = haystacks[0][1].split('\n').length;
    console.log(
      `[security] scanned ${lines} log lines, ${kafka.events.length} events, ${answers.length} error answers`,
    );
    assert.ok(lines > 10, 'the processes logged something to scan');
    assert.deepEqual(leaks, []);
  });
});
