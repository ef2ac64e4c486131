import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadRuntimeEnv } from '@gateway/config';
import { createKafka, kafkaSecurityOptions } from '@gateway/events';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';

/** The runner's broker also listens with SASL_SSL (scripts/test.ts passes its address). */
function secureListener() {
  const brokers = process.env.KAFKA_TEST_SECURE_BROKERS;
  const caFile = process.env.KAFKA_TEST_SECURE_CA_FILE;
  const username = process.env.KAFKA_TEST_SECURE_USERNAME;
  const password = process.env.KAFKA_TEST_SECURE_PASSWORD;
  if (!brokers || !caFile || !username || !password)
    throw new Error('Run through npm test: the SASL_SSL listener is set up by scripts/test.ts');
  return { brokers, caFile, username, password };
}

/** The apps' environment for the secure listener, as an operator would write it. */
function secureEnv(over: Record<string, string> = {}): Record<string, string> {
  const s = secureListener();
  return {
    KAFKA_BROKERS: s.brokers,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: s.caFile,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: s.username,
    KAFKA_SASL_PASSWORD: s.password,
    ...over,
  };
}

/** Connects a producer with the settings `env` describes; resolves to the error, if any. */
async function connectWith(env: Record<string, string>): Promise<Error | undefined> {
  const rt = loadRuntimeEnv(env);
  const kafka = createKafka({
    clientId: 'tls-sasl-test',
    brokers: rt.kafkaBrokers,
    extra: { ...kafkaSecurityOptions(rt.kafkaSecurity), retry: { retries: 0 } },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return undefined;
  } catch (e) {
    return e as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

describe('Kafka over TLS with SASL (KAFKA_SSL*, KAFKA_SASL_*)', () => {
  let gw: Gateway;
  let collector: KafkaCollector;
  before(async () => {
    // Every app talks to Kafka only through the SASL_SSL listener.
    gw = await startGateway({
      config: 'tenants: [{ id: acme }]\n',
      apps: ['ingest-api', 'worker-llm', 'dispatcher'],
      env: secureEnv(),
    });
    collector = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
  });
  after(async () => {
    await collector?.stop();
    await gw?.stop();
  });

  it('relays results through a SASL_SSL listener when the apps are given its settings', async () => {
    const key = await gw.tenantKey('acme', undefined, true);
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'classify', input: { text: 'a great day', labels: ['good', 'bad'] } },
    });
    assert.equal(r.status, 202);
    const id = String(r.body.id);
    await collector.waitFor('the result event', (events) => events.some((e) => e.value.id === id));
    const ready = await call(`${gw.url}/readyz`);
    assert.equal(ready.status, 200, 'readiness checks Kafka over the same settings');
  });

  it('is refused with a wrong SASL password', async () => {
    const err = await connectWith(secureEnv({ KAFKA_SASL_PASSWORD: 'not-the-password' }));
    assert.ok(err, 'the connection must fail');
    assert.match(String(err.message), /SASL|authentication/i);
  });

  it('is refused when the broker certificate is not trusted', async () => {
    const env = secureEnv();
    delete env.KAFKA_SSL_CA_FILE;
    const err = await connectWith(env);
    assert.ok(err, 'the self-signed certificate must not be trusted without the CA file');
    assert.match(String(err.message), /certificate/i);
  });

  it('connects with the right settings (the negative cases are not a broken listener)', async () => {
    assert.equal(await connectWith(secureEnv()), undefined);
  });

  it('rejects incomplete settings at boot with a clear message', () => {
    assert.throws(
      () => loadRuntimeEnv({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }),
      /KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: set all three or none/,
    );
    assert.throws(() => loadRuntimeEnv({ KAFKA_SSL_CA_FILE: '/tmp/ca.pem' }), /set KAFKA_SSL=true/);
    assert.throws(
      () => loadRuntimeEnv({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/tmp/c.pem' }),
      /a client certificate needs both/,
    );
    assert.throws(() => loadRuntimeEnv({ KAFKA_SASL_MECHANISM: 'gssapi' }), /KAFKA_SASL_MECHANISM/);
  });
});
