import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, isAlive, kafkaAnswers, redisAnswers } from '../../infra/src';
import { repoRoot } from '../support/repo';

/** `count` consecutive free ports on loopback (npm start's metrics ports are consecutive). */
async function consecutiveFreePorts(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + count > 65535) continue;
    let ok = true;
    for (let i = 1; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** Pids of processes whose command line names `text` (e.g. a data folder). */
function pidsNaming(text: string): number[] {
  const r = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((p) => p !== process.pid);
}

function withoutAdminKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { GATEWAY_ADMIN_KEY: _drop, ...rest } = env;
  return rest;
}

interface Pids {
  supervisor: number;
  apps: Record<string, number>;
  redis?: number;
  kafka?: number;
}

/** Runs the compiled `npm start` script itself, on free ports and its own data folder. */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-start-'));
  let proc: ChildProcess | undefined;
  after(() => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    // A failed run must not leave its apps, Redis or Kafka running (they are detached).
    const pidsFile = join(dataDir, 'pids.json');
    if (existsSync(pidsFile)) {
      const p = JSON.parse(readFileSync(pidsFile, 'utf8')) as Pids;
      for (const pid of [...Object.values(p.apps), p.redis, p.kafka])
        if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts everything, restarts an app that dies, prints the dev key, and Ctrl-C leaves no process behind', async () => {
    const [port, redisPort, kafkaPort, controllerPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const metricsPort = await consecutiveFreePorts(4);
    const topicPrefix = `start${process.pid}.`;
    let out = '';
    const t0 = Date.now();
    proc = spawn(process.execPath, [join(__dirname, '..', '..', 'scripts', 'start.js')], {
      cwd: repoRoot(),
      env: {
        ...withoutAdminKey(process.env),
        PORT: String(port),
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_PORT: String(controllerPort),
        METRICS_PORT: String(metricsPort),
        GATEWAY_TOPIC_PREFIX: topicPrefix,
        GATEWAY_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!out.includes('dev API key:') && Date.now() < deadline && proc.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(out, /dev API key:\s+gw_/, out);
    const readyMs = Date.now() - t0;
    assert.match(out, new RegExp(`URL:\\s+http://127.0.0.1:${port}`));
    assert.match(out, /admin key:\s+\S*admin-key/);
    const devKey = readFileSync(join(dataDir, 'dev-key'), 'utf8').trim();
    assert.ok(out.includes(devKey), 'the printed key is the one in .gateway/dev-key');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200);
    const job = await fetch(`http://127.0.0.1:${port}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${devKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        task: 'summarize',
        input: { text: 'A first job needs no admin step. It just works.' },
      }),
    });
    assert.equal(job.status, 202);

    // The topics exist before the first event, under the configured names.
    const admin = new Kafka({
      clientId: 'start-test',
      brokers: [`127.0.0.1:${kafkaPort}`],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    for (const t of ['ai.requests.v1', 'ai.requests.dlq.v1', 'ai.results.v1', 'ai.audit.v1'])
      assert.ok(
        topics.includes(topicPrefix + t),
        `topic ${topicPrefix + t} in ${topics.join(',')}`,
      );
    // Workers and the dispatcher serve /metrics from METRICS_PORT on, one port each.
    for (const [offset, name] of [
      [0, 'worker-llm'],
      [3, 'dispatcher'],
    ] as const) {
      const m = await fetch(`http://127.0.0.1:${metricsPort + offset}/metrics`);
      assert.equal(m.status, 200, `${name} metrics on ${metricsPort + offset}`);
      assert.match(await m.text(), /gateway_/);
    }

    const pids = JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as Pids;
    assert.equal(Object.keys(pids.apps).length, 5);
    // An app that dies is restarted by the supervisor.
    process.kill(pids.apps['worker-vision'], 'SIGKILL');
    const restartDeadline = Date.now() + 15_000;
    const currentPid = () =>
      (JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as Pids).apps['worker-vision'];
    while (currentPid() === pids.apps['worker-vision'] && Date.now() < restartDeadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(out, /worker-vision exited \(SIGKILL\); restarting/);
    assert.ok(isAlive(currentPid()), 'worker-vision runs again under a new pid');

    const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
    const s0 = Date.now();
    proc.kill('SIGINT');
    assert.equal(await exited, 0);
    const stopMs = Date.now() - s0;
    assert.ok(stopMs < 10_000, `stopped in ${stopMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
    const final = JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as Pids;
    const all = [
      ...Object.values(final.apps),
      pids.supervisor,
      ...Object.values(pids.apps),
      pids.redis!,
      pids.kafka!,
    ];
    assert.deepEqual(all.filter(isAlive), [], 'no process left behind');
    console.log(`# npm start: ready in ${readyMs} ms (build excluded), stopped in ${stopMs} ms`);
  });

  it('Ctrl-C while Kafka is still starting stops the Redis and Kafka it started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-start-early-'));
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const kafkaBrokers = [`127.0.0.1:${await freePort()}`];
    let out = '';
    const early = spawn(process.execPath, [join(__dirname, '..', '..', 'scripts', 'start.js')], {
      cwd: repoRoot(),
      env: {
        ...withoutAdminKey(process.env),
        PORT: String(await freePort()),
        REDIS_URL: redisUrl,
        KAFKA_BROKERS: kafkaBrokers[0],
        KAFKA_CONTROLLER_PORT: String(await freePort()),
        GATEWAY_DATA_DIR: dir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    early.stdout.on('data', (d: Buffer) => (out += d.toString()));
    early.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('Redis: started') && Date.now() < deadline && early.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /Redis: started/);
      assert.doesNotMatch(out, /Kafka: started/, 'Kafka is still starting');
      const exited = new Promise<number | null>((r) => early.once('exit', (code) => r(code)));
      const s0 = Date.now();
      early.kill('SIGINT');
      assert.equal(await exited, 0, out);
      const stopMs = Date.now() - s0;
      assert.ok(stopMs < 10_000, `stopped in ${stopMs} ms`);
      assert.equal(await redisAnswers(redisUrl), false, 'Redis stopped');
      assert.equal(await kafkaAnswers(kafkaBrokers, 1000), false, 'Kafka stopped');
      assert.deepEqual(pidsNaming(dir), [], 'no process of this start left behind');
    } finally {
      if (early.exitCode === null) early.kill('SIGKILL');
      for (const pid of pidsNaming(dir)) process.kill(pid, 'SIGKILL');
      if (await redisAnswers(redisUrl)) {
        const leftover = new Redis(redisUrl);
        await leftover.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
        leftover.disconnect();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
