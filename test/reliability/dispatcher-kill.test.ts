import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { KafkaCollector } from '../support/kafka-collector';
import {
  auditIdsNotUnique,
  dedupe,
  everyJobRelayed,
  killMidRelay,
  SIZES,
  sleep,
  submitMany,
  waitAllTerminal,
} from '../support/load';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: quick-llm, provider: local, model: quick, class: llm, tasks: [classify],
      limits: { maxConcurrency: 16 }, simulate: { latencyMs: 10 } }
routes:
  - { match: { model: quick }, strategy: priority, targets: [quick-llm] }
tenants:
  - { id: acme }
`;

describe(`dispatcher SIGKILLed mid-relay (${SIZES.dispatcherKills}x)`, () => {
  let gw: Gateway;
  let kafka: KafkaCollector;
  let key: string;

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm'] });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results, gw.topics.audit]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
  });

  it('loses no event; a redelivered event keeps its id', { timeout: 180_000 }, async () => {
    const ids: string[] = [];
    let interrupted = 0;
    for (let round = 0; round < SIZES.dispatcherKills; round++) {
      // A backlog builds while no dispatcher runs, so the next one has a lot to relay.
      const accepted = await submitMany(gw, key, 120, (i) => ({
        task: 'classify',
        model: 'quick',
        input: { text: `round ${round} job ${i} is great`, labels: ['good', 'bad'] },
      }));
      ids.push(...accepted.map((a) => a.id));
      await waitAllTerminal(
        gw,
        key,
        accepted.map((a) => a.id),
        60_000,
      );
      await gw.start('dispatcher');
      // Killed while it holds entries it sent (or is sending) but never acknowledged.
      if ((await killMidRelay(gw, 'dispatcher')) > 0) interrupted++;
    }
    await gw.start('dispatcher');

    await kafka.waitFor(
      'a result event and both audit events for every job',
      (events) => everyJobRelayed(events, gw.topics, ids),
      60_000,
    );
    await sleep(1500); // late redeliveries, if any, arrive too
    const results = dedupe(kafka.events, gw.topics.results);
    const audits = dedupe(kafka.events, gw.topics.audit);
    assert.deepEqual(results.conflicting, [], 'a redelivered result is the same event');
    assert.deepEqual(audits.conflicting, [], 'a redelivered audit is the same event');
    assert.equal(results.unique.length, ids.length, 'one result per job after de-duplication');
    // A duplicate with a new id would show as a second distinct audit id for one action.
    assert.deepEqual(auditIdsNotUnique(kafka.events, gw.topics.audit, ids), {});
    console.log(
      `[reliability] dispatcher kill: ${JSON.stringify({
        jobs: ids.length,
        kills: SIZES.dispatcherKills,
        killsMidRelay: interrupted,
        duplicateResults: results.duplicates,
        duplicateAudits: audits.duplicates,
      })}`,
    );
    assert.ok(interrupted > 0, 'at least one kill landed while the relay was part-way');
  });
});
