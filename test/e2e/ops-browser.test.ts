import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../support/repo';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: fast-llm, provider: local, model: fast, class: llm, tasks: [chat, summarize], region: local,
      limits: { maxConcurrency: 2 }, price: { perCall: 0.25 }, simulate: { latencyMs: 10 } }
routes:
  - { match: { model: fast }, strategy: priority, targets: [fast-llm] }
tenants:
  - { id: acme, budgets: { dailyUsd: 5, monthlyUsd: 50 } }
`;

/** Debian's chromium, headless; scripts/test.ts installs it when missing. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

describe('ops page and queue dashboard in a real browser', () => {
  let gw: Gateway;
  let browser: Browser;
  let page: Page;
  const shots = join(repoRoot(), 'test-results');

  before(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm'] });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('sends a browser without the credential to the login form, and refuses a wrong key', async () => {
    await page.goto(`${gw.url}/admin`);
    assert.match(page.url(), /\/admin\/login\?next=%2Fadmin$/);
    await page.fill('#key', 'adm_not_the_key_000000');
    await page.click('#login');
    assert.equal(await page.locator('#login-error').count(), 1);
  });

  it('logs in and shows the deployments, queues and tenants of the gateway', async () => {
    // One job spends $0.25 of acme's budgets; a key allowed one request a minute is refused once.
    const key = await gw.tenantKey('acme', undefined, true, { rpm: 1 });
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'fast', input: { text: 'Spend a quarter.' } },
    });
    assert.equal(r.status, 202);
    const other = await gw.tenantKey('acme', undefined, true);
    const done = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=20`, { key: other });
    assert.equal(done.body.status, 'succeeded');
    assert.equal((await call(`${gw.url}/v1/jobs`, { key })).status, 429);

    await page.goto(`${gw.url}/admin/login?next=/admin`);
    await page.fill('#key', gw.adminKey);
    await page.click('#login');
    await page.waitForSelector('#deployments');
    assert.equal(new URL(page.url()).pathname, '/admin');
    const dep = page.locator('#deployments tr[data-deployment="fast-llm"]');
    assert.equal(await dep.count(), 1);
    assert.match(await dep.innerText(), /running/);
    assert.equal(await page.locator('#queues tr[data-queue="fast-llm"]').count(), 1);
    // Spend settles when the job ends; the page shows it against each budget.
    const tenant = page.locator('#tenants tr[data-tenant="acme"]');
    const deadline = Date.now() + 15_000;
    while (!(await tenant.innerText()).includes('$0.25') && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 300));
      await page.reload();
    }
    assert.match(
      await tenant.innerText(),
      /^acme\s+\$0\.25 \/ \$5\.00 \(5\.0 %\)\s+\$0\.25 \/ \$50\.00 \(0\.5 %\)\s+–\s+1$/,
    );
    await page.screenshot({ path: join(shots, 'ops-page.png'), fullPage: true });
  });

  it('pauses a queue from the page, and the pause takes effect on new jobs', async () => {
    await page.click('button[data-action="pause"][data-id="fast-llm"]');
    await page.waitForSelector('#deployments tr[data-deployment="fast-llm"] td.paused');
    const stats = await call(`${gw.url}/admin/queues/stats`, { key: gw.adminKey });
    assert.equal(stats.body.data[0].paused, true);
    const key = await gw.tenantKey('acme', undefined, true);
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'fast', input: { text: 'Paused from the browser.' } },
    });
    await new Promise((res) => setTimeout(res, 800));
    assert.equal((await call(`${gw.url}/v1/jobs/${r.body.id}`, { key })).body.status, 'queued');
    await page.screenshot({ path: join(shots, 'ops-page-paused.png'), fullPage: true });
    await page.click('button[data-action="resume"][data-id="fast-llm"]');
    // The page reloads after the call: wait for it, so the next navigation is not interrupted.
    await page.waitForSelector('button[data-action="pause"][data-id="fast-llm"]');
    const done = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=20`, { key });
    assert.equal(done.body.status, 'succeeded');
  });

  it('loads bull-board behind the same login', async () => {
    await page.goto(`${gw.url}/admin/queues`);
    await page.waitForSelector('text=AI Gateway queues', { timeout: 15_000 });
    await page.waitForSelector('text={dep-fast-llm}', { timeout: 15_000 });
    await page.screenshot({ path: join(shots, 'bull-board.png'), fullPage: true });
    const anon = await fetch(`${gw.url}/admin/queues/api/queues`);
    assert.equal(anon.status, 401);
  });
});
