import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: fast-llm, provider: local, model: fast, class: llm, tasks: [chat, summarize], region: local,
      limits: { maxConcurrency: 2 }, simulate: { latencyMs: 10 } }
  - { id: flaky-llm, provider: local, model: flaky, class: llm, tasks: [summarize], region: local,
      limits: { maxConcurrency: 2 }, attempts: 1, simulate: { serverErrorRate: 1 } }
routes:
  - { match: { model: fast }, strategy: priority, targets: [fast-llm] }
  - { match: { model: flaky }, strategy: priority, targets: [flaky-llm] }
tenants:
  - { id: acme }
`;

/** The compiled CLI binary (the package's `bin`), run as a user would. */
const BIN = join(__dirname, '..', '..', 'apps', 'cli', 'main.js');

function gateway(
  gw: Gateway,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: {
          PATH: process.env.PATH,
          GATEWAY_URL: gw.url,
          GATEWAY_ADMIN_KEY: gw.adminKey,
          ...env,
        },
        timeout: 30_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('gateway CLI against a running gateway', () => {
  let gw: Gateway;
  let key: string;

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm'] });
    key = await gw.tenantKey('acme', undefined, true);
  });
  after(async () => gw?.stop());

  it('manages tenants and keys, with --json and CSV output', async () => {
    const created = await gateway(gw, ['tenants', 'create', 'globex', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).id, 'globex');
    const again = await gateway(gw, ['tenants', 'create', 'globex']);
    assert.equal(again.code, 5, 'a conflict is a refusal');
    assert.match(again.stderr, /409 conflict/);
    const k = await gateway(gw, ['keys', 'create', 'globex', '--scopes', 'jobs:read', '--json']);
    assert.equal(k.code, 0, k.stderr);
    const newKey = JSON.parse(k.stdout) as { id: string; key: string };
    assert.match(newKey.key, /^gw_/);
    const list = await gateway(gw, ['tenants', 'list']);
    assert.equal(list.code, 0);
    assert.match(list.stdout.split('\n')[0], /^id,/);
    assert.match(list.stdout, /\nglobex,/);
    // Budgets per key: set at creation, changed, refused when malformed, removed.
    const budgeted = await gateway(gw, ['keys', 'create', 'globex', '--daily-usd', '5', '--json']);
    assert.equal(budgeted.code, 0, budgeted.stderr);
    const bk = JSON.parse(budgeted.stdout) as { id: string; budgets: unknown };
    assert.deepEqual(bk.budgets, { dailyUsd: 5 });
    const raised = await gateway(gw, ['keys', 'budget', bk.id, '--monthly-usd', '40', '--json']);
    assert.equal(raised.code, 0, raised.stderr);
    assert.deepEqual(JSON.parse(raised.stdout).budgets, { monthlyUsd: 40 });
    const bad = await gateway(gw, ['keys', 'budget', bk.id, '--daily-usd', 'lots']);
    assert.equal(bad.code, 2, 'a usage error');
    assert.match(bad.stderr, /--daily-usd must be a number/);
    const cleared = await gateway(gw, ['keys', 'budget', bk.id, '--none', '--json']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(JSON.parse(cleared.stdout).budgets, undefined);
    const revoked = await gateway(gw, ['keys', 'revoke', newKey.id, '--json']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await call(`${gw.url}/v1/jobs`, { key: newKey.key })).status, 401);
  });

  it('pauses and resumes a queue: jobs wait while paused and run after', async () => {
    const paused = await gateway(gw, ['queues', 'pause', 'fast-llm', '--json']);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(JSON.parse(paused.stdout).paused, true);
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'fast', input: { text: 'Wait for the resume. Then run.' } },
    });
    assert.equal(r.status, 202);
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal((await call(`${gw.url}/v1/jobs/${r.body.id}`, { key })).body.status, 'queued');
    const stats = await gateway(gw, ['queues', 'stats']);
    assert.match(stats.stdout, /^deployment,state,waiting/);
    assert.match(stats.stdout, /\nfast-llm,paused,1,/);
    assert.equal((await gateway(gw, ['queues', 'resume', 'fast-llm'])).code, 0);
    const done = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=20`, { key });
    assert.equal(done.body.status, 'succeeded');
    const job = await gateway(gw, ['jobs', 'get', r.body.id, '--json']);
    assert.equal(JSON.parse(job.stdout).status, 'succeeded');
  });

  it('lists failures and retries a failed job as a fresh attempt', async () => {
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'flaky', input: { text: 'This fails every time.' } },
    });
    const failed = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=20`, { key });
    assert.equal(failed.body.status, 'failed');
    let listed = '';
    for (let i = 0; i < 25 && !listed.includes(r.body.id); i++) {
      listed = (await gateway(gw, ['jobs', 'failures', '--deployment', 'flaky-llm'])).stdout;
      if (!listed.includes(r.body.id)) await new Promise((res) => setTimeout(res, 200));
    }
    assert.match(listed, new RegExp(`${r.body.id},acme,flaky-llm,server_error`));
    const retry = await gateway(gw, ['jobs', 'retry', r.body.id, '--json']);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(JSON.parse(retry.stdout).status, 'queued');
    const after = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=20`, { key });
    assert.equal(after.body.status, 'failed', 'the deployment still fails');
    assert.ok(after.body.attempts > failed.body.attempts, 'a new attempt was made');
    // The retry's own failure is listed again (the worker indexes it just after the record).
    let relisted = '';
    for (let i = 0; i < 25 && !relisted.includes(r.body.id); i++) {
      relisted = (await gateway(gw, ['jobs', 'failures', '--deployment', 'flaky-llm'])).stdout;
      if (!relisted.includes(r.body.id)) await new Promise((res) => setTimeout(res, 200));
    }
    assert.match(relisted, new RegExp(`${r.body.id},acme,flaky-llm,server_error`));
    const again = await gateway(gw, ['jobs', 'retry', '--deployment', 'flaky-llm', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).retried, 1);
    const noFilter = await gateway(gw, ['jobs', 'retry']);
    assert.equal(noFilter.code, 5, 'bulk retry needs a filter or --all');
  });

  it('answers with useful exit codes', async () => {
    assert.equal((await gateway(gw, ['jobs', 'get', 'job_nope'])).code, 4);
    assert.equal((await gateway(gw, ['queues', 'pause', 'no-such-deployment'])).code, 4);
    const wrong = await gateway(gw, ['queues', 'stats'], {
      GATEWAY_ADMIN_KEY: 'adm_wrong_key_123456',
    });
    assert.equal(wrong.code, 3);
    assert.doesNotMatch(wrong.stderr, /adm_wrong_key/, 'the key never appears in errors');
    assert.equal((await gateway(gw, ['frobnicate', 'now'])).code, 2);
    const down = await gateway(gw, ['queues', 'stats'], { GATEWAY_URL: 'http://127.0.0.1:9' });
    assert.equal(down.code, 6);
  });
});
