import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { GatewayConfig } from '@gateway/config';
import { repoRoot } from '../support/repo';

// No Docker engine runs on the development machines, so the compose file's structure is
// checked here instead of by starting it.
describe('docker-compose.yml', () => {
  const doc = parse(readFileSync(join(repoRoot(), 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: unknown;
        command?: string[];
        ports?: string[];
        environment?: Record<string, unknown>;
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: unknown;
      }
    >;
  };
  const apps = ['ingest-api', 'worker-llm', 'worker-embeddings', 'worker-vision', 'dispatcher'];

  it('runs Redis 7 with AOF and noeviction, and a KRaft Kafka, both with health checks', () => {
    const redis = doc.services.redis;
    assert.match(redis.image!, /^redis:7/);
    assert.ok(redis.command!.includes('--appendonly') && redis.command!.includes('noeviction'));
    assert.ok(redis.healthcheck);
    const kafka = doc.services.kafka;
    assert.match(kafka.image!, /kafka/);
    assert.equal(kafka.environment!.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.ok(kafka.healthcheck);
  });

  it('runs every app from the Dockerfile with the same env names, after Redis and Kafka are healthy', () => {
    for (const name of apps) {
      const s = doc.services[name];
      assert.ok(s, `service ${name}`);
      assert.ok(s.build, `${name} builds from the Dockerfile`);
      assert.deepEqual(s.command, ['node', `dist/apps/${name}/main.js`]);
      for (const env of ['REDIS_URL', 'KAFKA_BROKERS', 'GATEWAY_CONFIG', 'GATEWAY_ADMIN_KEY']) {
        assert.ok(s.environment && env in s.environment, `${name} has ${env}`);
      }
      assert.equal(s.depends_on?.redis?.condition, 'service_healthy');
      assert.equal(s.depends_on?.kafka?.condition, 'service_healthy');
      assert.equal(s.depends_on?.['kafka-topics']?.condition, 'service_completed_successfully');
    }
    assert.deepEqual(doc.services['ingest-api'].ports, ['127.0.0.1:8080:8080']);
  });

  it('creates the four topics of gateway.yaml up front, with its default partitions', () => {
    const job = doc.services['kafka-topics'];
    assert.equal(job.image, doc.services.kafka.image);
    assert.equal(job.depends_on?.kafka?.condition, 'service_healthy');
    const script = job.command!.join(' ');
    const cfg = GatewayConfig.parse({});
    for (const topic of Object.values(cfg.kafka.topics)) assert.ok(script.includes(topic), topic);
    assert.match(script, new RegExp(`--partitions ${cfg.kafka.partitions}\\b`));
    assert.match(script, /--if-not-exists/);
  });

  it('builds a multi-stage image that runs as a non-root user', () => {
    const df = readFileSync(join(repoRoot(), 'Dockerfile'), 'utf8');
    assert.ok((df.match(/^FROM /gm) ?? []).length >= 2);
    assert.match(df, /^USER gateway$/m);
    assert.match(df, /node:24/);
  });
});
