import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobRequest } from '@gateway/contracts';
import { estimateTokens } from '@gateway/routing';
import type { RedisClient } from '@gateway/storage';
import { submitMany, waitAll } from '../support/backpressure-helpers';
import { startCapacityUpstream, type CapacityUpstream } from '../support/capacity-upstream';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call, type Res } from '../support/http';

// $0.001 per input token, $0.002 per output token: reservations are worth counting.
// capped-llm calls a model server that counts its calls in flight; it takes more than 3 at
// once, so only the gateway's limit holds the peak at 3.
const CONFIG = (upstream: string) => `
providers:
  - { id: local, type: local }
  - { id: counting, type: openai-compatible, baseUrl: "${upstream}" }
deployments:
  - { id: priced-llm, provider: local, model: priced, class: llm, tasks: [summarize, chat], region: local,
      price: { inputPerMTok: 1000, outputPerMTok: 2000 }, limits: { maxConcurrency: 8 }, simulate: { latencyMs: 100 } }
  - { id: capped-llm, provider: counting, model: m, class: llm, tasks: [chat], region: local,
      limits: { maxConcurrency: ${CAPPED}, adaptive: { enabled: false } } }
routes:
  - { match: { task: summarize }, strategy: priority, targets: [priced-llm] }
  - { match: { task: chat }, strategy: priority, targets: [capped-llm] }
tenants:
  - { id: limited, limits: { rpm: 50 } }
  - { id: strict, limits: { rpm: 3 } }
  - { id: strict-chat, limits: { rpm: 2 } }
  - { id: budget, budgets: { dailyUsd: ${BUDGET} } }
  - { id: keyed }
  - { id: capped }
`;

const JOB = {
  task: 'summarize',
  input: {
    text: 'Budgets hold across replicas. Reservations settle with the actual cost.',
    maxWords: 10,
  },
};
const RESERVATION = (() => {
  const t = estimateTokens(JobRequest.parse(JOB));
  return Math.round((t.inputTokens * 1000 + t.maxOutputTokens * 2000) * 1e3) / 1e9;
})();
const BUDGET = Math.round(RESERVATION * 50.5 * 1e6) / 1e6;
/** A key's own daily budget: 20 reservations and a half. */
const KEY_BUDGET = Math.round(RESERVATION * 20.5 * 1e6) / 1e6;
const nano = (usd: number) => Math.round(usd * 1e9);
const CAPPED = 3;

/** Waits until the current minute has at least `needSec` left, so a fixed window holds the burst. */
async function awayFromMinuteEnd(needSec: number): Promise<void> {
  const left = 60 - ((Date.now() / 1000) % 60);
  if (left < needSec) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

describe('rate limits, budgets and concurrency limits across replicas', () => {
  let gw: Gateway;
  let redis: RedisClient;
  let upstream: CapacityUpstream;

  before(async () => {
    upstream = await startCapacityUpstream({ capacity: 100, latencyMs: 150 });
    gw = await startGateway({ config: CONFIG(upstream.baseUrl) });
    redis = gw.redis();
  });
  after(async () => {
    redis?.disconnect();
    await gw?.stop();
    await upstream?.close();
  });

  it('holds a tenant rpm of 50 under 200 concurrent requests through two ingest processes', async () => {
    const second = await gw.startIngestReplica('ingest-2');
    const key = await gw.tenantKey('limited', undefined, true);
    await awayFromMinuteEnd(20);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(`${i % 2 ? second : gw.url}/v1/jobs`, { key, body: JOB }),
      ),
    );
    const accepted = results.filter((r) => r.status === 202);
    const refused = results.filter((r) => r.status === 429);
    assert.equal(accepted.length, 50, 'exactly the limit is admitted');
    assert.equal(refused.length, 150);
    for (const r of refused) {
      assert.equal(r.body.error.code, 'rate_limited');
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    }
    for (const r of accepted) {
      assert.equal(
        r.headers.get('x-ratelimit-limit'),
        '50',
        'the tightest limit is the tenant rpm',
      );
      assert.ok(Number(r.headers.get('x-ratelimit-reset')) >= 1);
    }
    // Every /v1 answer carries the headers, reads included; a refusal is audited by both replicas.
    const list = await call(`${second}/v1/jobs`, { key });
    assert.equal(list.status, 429);
    assert.equal(list.headers.get('x-ratelimit-limit'), '50');
  });

  it('counts a submission refused for its input, and answers every submission with rate headers', async () => {
    // Admission counts a submission with its tokens; one refused before admission still counts.
    const key = await gw.tenantKey('strict', undefined, true);
    await awayFromMinuteEnd(15);
    const remaining = (r: Res) => r.headers.get('x-ratelimit-remaining');
    const invalid = await call(`${gw.url}/v1/jobs`, { key, body: { task: 'summarize' } });
    assert.equal(invalid.status, 400, JSON.stringify(invalid.body));
    assert.equal(invalid.headers.get('x-ratelimit-limit'), '3');
    assert.equal(remaining(invalid), '2');
    const badHeader = await call(`${gw.url}/v1/jobs`, {
      key,
      body: JOB,
      headers: { 'idempotency-key': 'x'.repeat(300) },
    });
    assert.equal(badHeader.status, 400);
    assert.equal(remaining(badHeader), '1');
    const ok = await call(`${gw.url}/v1/jobs`, { key, body: JOB });
    assert.equal(ok.status, 202);
    assert.equal(ok.headers.get('x-ratelimit-limit'), '3', 'the tightest limit is the tenant rpm');
    assert.equal(remaining(ok), '0');
    for (const body of [{ task: 'summarize' }, JOB]) {
      const over = await call(`${gw.url}/v1/jobs`, { key, body });
      assert.equal(over.status, 429, 'over the rpm, even a bad body is refused for its rate');
      assert.equal(over.body.error.code, 'rate_limited');
      assert.equal(remaining(over), '0');
      assert.ok(Number(over.headers.get('retry-after')) >= 1);
    }
    // The OpenAI façade's submissions count the same way.
    const chatKey = await gw.tenantKey('strict-chat', undefined, true);
    const chat = (body: unknown) => call(`${gw.url}/v1/chat/completions`, { key: chatKey, body });
    const badChat = await chat({ model: 'priced-llm' });
    assert.equal(badChat.status, 400);
    assert.equal(remaining(badChat), '1');
    const goodChat = await chat({
      model: 'priced-llm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(goodChat.status, 200, JSON.stringify(goodChat.body));
    assert.equal(remaining(goodChat), '0');
    const overChat = await chat({
      model: 'priced-llm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(overChat.status, 429);
    assert.equal(remaining(overChat), '0');
  });

  it('never overspends under 500 parallel submissions and settles to the actual cost', async () => {
    const key = await gw.tenantKey('budget', undefined, true);
    // While the burst runs, spent + reserved is sampled: it must never pass the budget.
    const windowKey = `${gw.prefix}:{t:budget}:budget:d:${new Date().toISOString().slice(0, 10)}`;
    let peak = 0;
    let bursting = true;
    const sampler = (async () => {
      for (let i = 0; bursting && i < 3000; i++) {
        const [sp, res] = await redis.hmget(windowKey, 'spent', 'reserved');
        peak = Math.max(peak, Number(sp ?? 0) + Number(res ?? 0));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results: Res[] = await Promise.all(
      Array.from({ length: 500 }, () => call(`${gw.url}/v1/jobs`, { key, body: JOB })),
    );
    bursting = false;
    await sampler;
    assert.ok(peak > 0 && peak <= Math.round(BUDGET * 1e9), `peak ${peak} within the budget`);
    const accepted = results.filter((r) => r.status === 202);
    const refused = results.filter((r) => r.status === 402);
    // 50 reservations fit; jobs that finish during the burst settle below their reservation
    // and make room for a few more, but never past the budget (checked once all settle).
    assert.ok(accepted.length >= 50, `${accepted.length} accepted`);
    assert.equal(refused.length, 500 - accepted.length);
    const err = refused[0].body.error;
    assert.equal(err.code, 'budget_exceeded');
    assert.match(err.details[0].resetsAt, /T00:00:00\.000Z$/);

    // Cancel a few while queued: their reservations must come back.
    const cancelled = new Set<string>();
    for (const r of accepted.slice(-5)) {
      const c = await call(`${gw.url}/v1/jobs/${r.body.id}`, { method: 'DELETE', key });
      if (c.status === 200) cancelled.add(r.body.id);
    }
    let spent = 0;
    let succeeded = 0;
    for (const r of accepted) {
      const done = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=30`, { key });
      if (done.body.status === 'succeeded') {
        succeeded++;
        spent += Math.round(done.body.costUsd * 1e9);
        assert.ok(done.body.costUsd <= RESERVATION, 'the actual cost is within the reservation');
      } else assert.ok(cancelled.has(r.body.id), `${r.body.id} ended ${done.body.status}`);
    }
    assert.equal(succeeded + cancelled.size, accepted.length);
    const deadline = Date.now() + 15_000;
    let w: Record<string, string> = {};
    while (Date.now() < deadline) {
      w = await redis.hgetall(windowKey);
      if (Number(w.reserved) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(Number(w.reserved), 0, 'every reservation settled or was released');
    assert.equal(Number(w.spent), spent, 'spent is exactly the sum of the actual costs');
    assert.ok(spent <= Math.round(BUDGET * 1e9), `spent ${spent} nano-USD within ${BUDGET} USD`);

    const usage = await call(`${gw.url}/v1/usage`, { key });
    assert.equal(usage.status, 200);
    assert.equal(usage.body.totals.jobs, accepted.length);
    assert.equal(Math.round(usage.body.totals.costUsd * 1e9), spent);
    const row = usage.body.data.find((x: { model: string }) => x.model === 'priced-llm');
    assert.equal(row.cancelled, cancelled.size);
    assert.equal(row.succeeded, succeeded);
    // Once room is back (nothing reserved), a small job fits again only if the budget allows.
    const again = await call(`${gw.url}/v1/jobs`, { key, body: JOB });
    assert.equal(again.status, spent + RESERVATION * 1e9 <= BUDGET * 1e9 ? 202 : 402);
  });
  it('holds an API key budget under 200 parallel submissions, settles it exactly, and lets an admin change it', async () => {
    const admin = { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' };
    const created = await call(`${gw.url}/admin/tenants/keyed/keys`, {
      method: 'POST',
      headers: admin,
      body: { scopes: ['jobs:write', 'jobs:read'], budgets: { dailyUsd: KEY_BUDGET } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.budgets, { dailyUsd: KEY_BUDGET });
    const { id: keyId, key } = created.body as { id: string; key: string };
    const day = new Date().toISOString().slice(0, 10);
    const keyWindow = `${gw.prefix}:{t:keyed}:budget:key:${keyId}:d:${day}`;
    const tenantWindow = `${gw.prefix}:{t:keyed}:budget:d:${day}`;
    let peak = 0;
    let bursting = true;
    const sampler = (async () => {
      for (let i = 0; bursting && i < 3000; i++) {
        const [sp, res] = await redis.hmget(keyWindow, 'spent', 'reserved');
        peak = Math.max(peak, Number(sp ?? 0) + Number(res ?? 0));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results: Res[] = await Promise.all(
      Array.from({ length: 200 }, () => call(`${gw.url}/v1/jobs`, { key, body: JOB })),
    );
    bursting = false;
    await sampler;
    assert.ok(peak > 0 && peak <= nano(KEY_BUDGET), `peak ${peak} within the key budget`);
    const accepted = results.filter((r) => r.status === 202);
    const refused = results.filter((r) => r.status === 402);
    assert.ok(accepted.length >= 20, `${accepted.length} accepted`);
    assert.equal(refused.length, 200 - accepted.length);
    const err = refused[0].body.error;
    assert.equal(err.code, 'budget_exceeded');
    assert.match(err.message, new RegExp(`API key "${keyId}" would exceed its daily budget`));
    assert.equal(err.details[0].scope, 'key');
    assert.equal(err.details[0].keyId, keyId);
    assert.equal(err.details[0].window, 'day');
    assert.match(err.details[0].resetsAt, /T00:00:00\.000Z$/);

    let spent = 0;
    for (const r of accepted) {
      const done = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=30`, { key });
      assert.equal(done.body.status, 'succeeded');
      spent += nano(done.body.costUsd);
    }
    const deadline = Date.now() + 15_000;
    let w: Record<string, string> = {};
    while (Date.now() < deadline) {
      w = await redis.hgetall(keyWindow);
      if (Number(w.reserved) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(Number(w.reserved), 0, 'every key reservation settled');
    assert.equal(Number(w.spent), spent, 'the key window holds exactly the actual costs');
    assert.ok(spent <= nano(KEY_BUDGET));
    // The tenant (no budget of its own) counts the same jobs once.
    const t = await redis.hgetall(tenantWindow);
    assert.equal(Number(t.reserved), 0);
    assert.equal(Number(t.spent), spent);

    // A rotated key spends from the same windows: rotation is no way around a budget.
    const rotated = await call(`${gw.url}/admin/keys/${keyId}/rotate`, {
      method: 'POST',
      headers: admin,
      body: { graceSeconds: 0 },
    });
    assert.equal(rotated.status, 201);
    const fresh = rotated.body.key as string;
    const still = await call(`${gw.url}/v1/jobs`, { key: fresh, body: JOB });
    if (spent + nano(RESERVATION) > nano(KEY_BUDGET)) assert.equal(still.status, 402);
    // An admin raises the (new) key's budget: the next job fits at once, on every replica.
    const patched = await call(`${gw.url}/admin/keys/${rotated.body.id}`, {
      method: 'PATCH',
      headers: admin,
      body: { budgets: { dailyUsd: KEY_BUDGET * 2 } },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.budgets.dailyUsd, KEY_BUDGET * 2);
    const fits = await call(`${gw.url}/v1/jobs`, { key: fresh, body: JOB });
    assert.equal(fits.status, 202, JSON.stringify(fits.body));
    const bad = await call(`${gw.url}/admin/keys/${rotated.body.id}`, {
      method: 'PATCH',
      headers: admin,
      body: { budgets: { dailyUsd: -1 } },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
  });

  it(`holds a deployment's maxConcurrency of ${CAPPED} across every worker process`, async () => {
    const key = await gw.tenantKey('capped', undefined, true);
    // Each worker-llm process gives the deployment 3 BullMQ slots: scaled out, 6 could call.
    const { ids, refused } = await submitMany(gw, key, 30, { parallel: 10 });
    assert.deepEqual(refused, []);
    assert.deepEqual(await waitAll(gw, key, ids, 60_000), { succeeded: 30 });
    assert.equal(upstream.counters.ok, 30);
    assert.equal(upstream.counters.peakInFlight, CAPPED, 'the limit was reached, never passed');
  });
});
