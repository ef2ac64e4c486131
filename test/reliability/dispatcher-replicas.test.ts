import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { KafkaCollector } from '../support/kafka-collector';
import {
  auditIdsNotUnique,
  dedupe,
  everyJobRelayed,
  killMidRelay,
  sleep,
  submitMany,
  waitAllTerminal,
} from '../support/load';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: quick-llm, provider: local, model: quick, class: llm, tasks: [classify],
      limits: { maxConcurrency: 16 } }
routes:
  - { match: { model: quick }, strategy: priority, targets: [quick-llm] }
tenants:
  - { id: acme }
kafka: { relayClaimIdleMs: 2000 }
`;

describe('dispatcher replicas: one SIGKILLed mid-relay, another instance takes over', () => {
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

  it('another instance claims the dead one’s unacknowledged events; none lost, ids kept', async () => {
    // A backlog builds while no dispatcher runs, so both have plenty to relay at once.
    const accepted = await submitMany(gw, key, 600, (i) => ({
      task: 'classify',
      model: 'quick',
      input: { text: `job ${i} is great`, labels: ['good', 'bad'] },
    }));
    const ids = accepted.map((a) => a.id);
    await waitAllTerminal(gw, key, ids, 60_000);
    // dispatcher-a is killed while it holds entries it read but never acknowledged; a second
    // instance (another GATEWAY_INSTANCE_ID, so it cannot read them as its own) must claim them.
    await gw.start('dispatcher', 'dispatcher-a');
    const orphaned = await killMidRelay(gw, 'dispatcher-a');
    const atKill = kafka.events.length;
    await gw.start('dispatcher', 'dispatcher-b');
    assert.ok(orphaned > 0, 'the kill landed while dispatcher-a held unacknowledged entries');
    // Well inside the default 30 s claim time: the configured 2 s is what lets this pass.
    await kafka.waitFor(
      'every event, relayed by the surviving dispatcher',
      (events) => everyJobRelayed(events, gw.topics, ids),
      20_000,
    );
    await sleep(1000);
    const results = dedupe(kafka.events, gw.topics.results);
    assert.deepEqual(results.conflicting, [], 'a redelivered result is the same event');
    assert.equal(results.unique.length, ids.length, 'one result per job after de-duplication');
    // A duplicate with a new id would show as a second distinct audit id for one action.
    assert.deepEqual(auditIdsNotUnique(kafka.events, gw.topics.audit, ids), {});
    console.log(
      `[reliability] dispatcher replicas: ${JSON.stringify({
        jobs: ids.length,
        eventsAtKill: atKill,
        orphaned,
        duplicateResults: results.duplicates,
      })}`,
    );
  });
});
