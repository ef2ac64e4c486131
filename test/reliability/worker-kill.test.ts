import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import {
  auditCounts,
  dedupe,
  SIZES,
  sleep,
  submitMany,
  waitAllTerminal,
  type JobView,
} from '../support/load';

// Latency with spread so that, at any moment, some calls are mid-flight when the kill lands.
const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: slow-llm, provider: local, model: slow, class: llm, tasks: [summarize, classify],
      limits: { maxConcurrency: 16 }, simulate: { latencyMs: { meanMs: 250, stddevMs: 80 } } }
routes:
  - { match: { model: slow }, strategy: priority, targets: [slow-llm] }
tenants:
  - { id: acme }
jobs: { backoffMs: 100 }
`;

describe(`worker-llm killed with SIGKILL ${SIZES.kills}x while ${SIZES.jobs} jobs run`, () => {
  let gw: Gateway;
  let kafka: KafkaCollector;
  let key: string;

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm', 'dispatcher'] });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results, gw.topics.audit]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
  });

  it(
    'ends every job succeeded exactly once, with one result per job after de-duplication',
    { timeout: 120_000 + SIZES.jobs * 400 + SIZES.kills * 45_000 },
    async () => {
      const submitting = submitMany(gw, key, SIZES.jobs, (i) => ({
        task: 'classify',
        model: 'slow',
        input: { text: `great product number ${i}`, labels: ['good', 'bad'] },
      }));
      // Kill at spread moments while the backlog drains; restart at once each time.
      const kills: number[] = [];
      let hitRunning = 0;
      for (let k = 0; k < SIZES.kills; k++) {
        await sleep(600 + (k % 3) * 700);
        // Kill only while calls are in flight, so that the kill interrupts real work.
        let running = 0;
        for (let tries = 0; tries < 50 && running === 0; tries++) {
          const r = await call<{ data: unknown[] }>(`${gw.url}/v1/jobs?status=running&limit=100`, {
            key,
          });
          running = r.body.data.length;
          if (running === 0) await sleep(50);
        }
        await gw.kill('worker-llm', 'SIGKILL');
        hitRunning += running;
        kills.push(Date.now());
        await gw.start('worker-llm');
      }
      const accepted = await submitting;
      const ids = accepted.map((a) => a.id);
      const jobs = await waitAllTerminal(gw, key, ids, 90_000 + SIZES.kills * 40_000);

      const notSucceeded = [...jobs.values()].filter((j) => j.status !== 'succeeded');
      assert.deepEqual(
        notSucceeded.map((j) => `${j.id}:${j.status}:${j.error?.code}`),
        [],
        'every job succeeded',
      );
      await kafka.waitFor(
        'a result event for every job',
        (ev) => {
          const seen = new Set(
            ev.filter((e) => e.topic === gw.topics.results).map((e) => e.value.id),
          );
          return ids.every((id) => seen.has(id));
        },
        60_000,
      );
      await kafka.waitFor(
        'a job.succeeded audit event for every job',
        () => auditCounts(kafka.events, gw.topics.audit, 'job.succeeded').size >= ids.length,
        30_000,
      );
      const results = dedupe(kafka.events, gw.topics.results);
      const mine = results.unique.filter((e) => jobs.has(String(e.value.id)));
      assert.equal(mine.length, ids.length, 'exactly one result event per job id');
      assert.deepEqual(results.conflicting, [], 'duplicates carry the same event');
      assert.ok(mine.every((e) => e.value.type === 'ai.job.succeeded.v1'));
      // One stored completion per job: a second one would write a second audit event id.
      const succeededAudits = auditCounts(kafka.events, gw.topics.audit, 'job.succeeded');
      const twice = ids.filter((id) => succeededAudits.get(id) !== 1);
      assert.deepEqual(twice, [], 'the job store completed each job exactly once');

      const extraCalls = [...jobs.values()].reduce(
        (n: number, j: JobView) => n + Math.max(0, j.attempts - 1),
        0,
      );
      const report = {
        jobs: ids.length,
        kills: kills.length,
        runningAtKills: hitRunning,
        duplicateResultEventsDropped: results.duplicates,
        repeatedProviderCalls: extraCalls,
        jobsCalledMoreThanOnce: [...jobs.values()].filter((j) => j.attempts > 1).length,
      };
      console.log(`[reliability] worker kill: ${JSON.stringify(report)}`);
      assert.ok(hitRunning > 0, 'the kills interrupted running calls');
      // A kill can repeat only the calls in flight at that moment (concurrency 16 each).
      assert.ok(extraCalls <= kills.length * 16, `repeated calls bounded: ${extraCalls}`);
    },
  );
});
