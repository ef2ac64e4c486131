import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, isAlive } from '../../infra/src';
import { repoRoot } from '../support/repo';

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
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts everything, restarts an app that dies, prints the dev key, and Ctrl-C leaves no process behind', async () => {
    const [port, redisPort, kafkaPort, controllerPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
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
});
