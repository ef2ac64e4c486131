import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantConfig } from '@gateway/config';
import { JobRequest } from '@gateway/contracts';
import { GovKeys, JobGovernance, PolicyRefusal, type AdmissionInput } from '@gateway/governance';
import { Keys, newJobId } from '@gateway/queue';
import { createRedisClient } from '@gateway/storage';
import type { Redis } from 'ioredis';
import { testInfra } from '../support/repo';
import { countSocketWrites, recordCommands } from '../support/socket-writes';

describe('admission: a submission counted against rpm and tpm in one step', () => {
  const redis = createRedisClient({ url: testInfra().redisUrl }) as Redis;
  const keys = new Keys(`arl${Date.now()}`);
  const gov = new JobGovernance(redis, keys);
  const govKeys = new GovKeys(keys);
  after(() => redis.disconnect());
  // Each case's calls must fall in one fixed window.
  before(async () => {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5000) await new Promise((r) => setTimeout(r, left + 100));
  });

  const input = (
    tenantId: string,
    limits: { rpm?: number; tpm?: number },
    estimatedTokens: number,
    countRequest = true,
    budgets?: { dailyUsd: number },
  ): AdmissionInput => ({
    principal: { keyId: `key_${tenantId}`, tenantId, scopes: new Set(['jobs:write']) },
    tenant: TenantConfig.parse({ id: tenantId, limits, budgets }),
    request: JobRequest.parse({ task: 'summarize', input: { text: 'Count me once.' } }),
    jobId: newJobId(Date.now()),
    estimatedTokens,
    countRequest,
  });

  /** The names of the commands `redis` sends while `work` runs. */
  const commandsOf = async (work: () => Promise<unknown>) => {
    const rec = recordCommands(redis);
    try {
      await work();
    } finally {
      rec.stop();
    }
    return rec.seen.map((c) => c.split(' ')[0]);
  };

  const windowOf = () => Math.floor(Date.now() / 60_000) * 60_000;
  const counter = async (tenantId: string, who: string, kind: 'rpm' | 'tpm', w: number) =>
    Number((await redis.get(govKeys.rate(tenantId, who, kind, w))) ?? 0);

  it('sends one script call for the request and its tokens, and reports all four limits', async () => {
    const t = `one${Date.now()}`;
    // Loads the script into Redis first: a first call may be answered NOSCRIPT and sent again.
    await gov.admit(input(t, { rpm: 10, tpm: 1000 }, 20));
    let states: string[] = [];
    const sent = await commandsOf(async () => {
      states = (await gov.admit(input(t, { rpm: 10, tpm: 1000 }, 30))).rateLimit.map(
        (s) => `${s.name}=${s.remaining}`,
      );
    });
    assert.deepEqual(sent, ['evalsha'], 'one round trip counts rpm and tpm');
    assert.deepEqual(states.slice(0, 1), ['tenant rpm=8']);
    assert.deepEqual(states[2], 'tenant tpm=950');
    assert.deepEqual(
      states.map((s) => s.split('=')[0]),
      ['tenant rpm', 'key rpm', 'tenant tpm', 'key tpm'],
    );
  });

  it('counts only tokens when the request was counted already', async () => {
    const t = `tok${Date.now()}`;
    const w = windowOf();
    const a = await gov.admit(input(t, { rpm: 10, tpm: 1000 }, 40, false));
    assert.deepEqual(
      a.rateLimit.map((s) => s.name),
      ['tenant tpm', 'key tpm'],
    );
    assert.equal(await counter(t, 't', 'rpm', w), 0);
    assert.equal(await counter(t, 't', 'tpm', w), 40);
  });

  it('refuses on tokens without counting the request, and names the limit with its states', async () => {
    const t = `full${Date.now()}`;
    const w = windowOf();
    await gov.admit(input(t, { rpm: 10, tpm: 100 }, 60));
    const refused = await gov.admit(input(t, { rpm: 10, tpm: 100 }, 60)).catch((e: unknown) => e);
    assert.ok(PolicyRefusal.is(refused), String(refused));
    assert.equal(refused.code, 'rate_limited');
    assert.match(refused.message, /tenant tpm is 100/);
    assert.equal(
      refused.rateLimit?.find((s) => s.name === 'tenant tpm')?.remaining,
      40,
      'the refusal carries the limits for the rate headers',
    );
    assert.equal(await counter(t, 't', 'rpm', w), 1, 'the refused request was not counted');
    assert.equal(await counter(t, 't', 'tpm', w), 60);
  });

  it('names the rpm limit first when both are full', async () => {
    const t = `both${Date.now()}`;
    await gov.admit(input(t, { rpm: 1, tpm: 100 }, 90));
    const refused = await gov.admit(input(t, { rpm: 1, tpm: 100 }, 90)).catch((e: unknown) => e);
    assert.ok(PolicyRefusal.is(refused));
    assert.match(refused.message, /tenant rpm is 1/);
  });

  const route = (maxCostUsd: number) => ({ deployment: 'fast-llm', maxCostUsd, retentionSec: 60 });
  const day = () => new Date().toISOString().slice(0, 10);
  const reservedToday = async (t: string) =>
    Number((await redis.hget(govKeys.budget(t, `d:${day()}`), 'reserved')) ?? 0);
  const open = (t: string, jobId: string) =>
    redis.zscore(`${keys.prefix}:gov:open`, `${t}|${jobId}`);

  it('reserves the routed job in the same script, its open index entry in the same write', async () => {
    const t = `res${Date.now()}`;
    await gov.admit(input(t, { rpm: 10, tpm: 1000 }, 10), route(0.001));
    const job = input(t, { rpm: 10, tpm: 1000 }, 10);
    const writes = countSocketWrites(redis);
    const sent = await commandsOf(() => gov.admit(job, route(0.002)));
    assert.deepEqual(sent, ['evalsha', 'zadd'], 'rate limits and reservation in one round trip');
    assert.equal(writes.count(), 1, 'sent in one socket write');
    assert.equal(await reservedToday(t), 3_000_000, 'both jobs hold their worst case (nano-USD)');
    assert.ok(await redis.exists(govKeys.ledger(t, job.jobId)), 'the ledger entry is written');
    assert.deepEqual(
      await redis.hmget(govKeys.ledger(t, job.jobId), 'd', 'km'),
      [govKeys.budget(t, `d:${day()}`), govKeys.keyBudget(t, `key_${t}`, `m:${day().slice(0, 7)}`)],
      'it names the windows settling will correct',
    );
    assert.ok((await open(t, job.jobId)) !== null);
  });

  it('refuses past the budget: the tokens are given back, the request stays counted', async () => {
    const t = `bud${Date.now()}`;
    const w = windowOf();
    const job = input(t, { rpm: 10, tpm: 1000 }, 50, true, { dailyUsd: 0.001 });
    const refused = await gov.admit(job, route(0.002)).catch((e: unknown) => e);
    assert.ok(PolicyRefusal.is(refused), String(refused));
    assert.equal(refused.code, 'budget_exceeded');
    assert.ok(refused.rateLimit?.length, 'the refusal carries the limits for the rate headers');
    assert.equal(await counter(t, 't', 'rpm', w), 1);
    assert.equal(await counter(t, 't', 'tpm', w), 0, 'no tokens stay counted');
    assert.equal(await counter(t, `key_${t}`, 'tpm', w), 0);
    assert.equal(await reservedToday(t), 0);
    assert.equal(await redis.exists(govKeys.ledger(t, job.jobId)), 0);
    assert.equal(await open(t, job.jobId), null, 'the open index entry is taken out again');
  });

  it('reserves nothing for a job a rate limit refuses', async () => {
    const t = `rr${Date.now()}`;
    await gov.admit(input(t, { rpm: 1 }, 10), route(0.001));
    const job = input(t, { rpm: 1 }, 10);
    const refused = await gov.admit(job, route(0.001)).catch((e: unknown) => e);
    assert.ok(PolicyRefusal.is(refused));
    assert.equal(refused.code, 'rate_limited');
    assert.equal(await reservedToday(t), 1_000_000, 'only the first job holds a reservation');
    assert.equal(await redis.exists(govKeys.ledger(t, job.jobId)), 0);
    assert.equal(await open(t, job.jobId), null);
  });

  it('gives a window its TTL when it creates it, and later admissions leave that TTL', async () => {
    const t = `ttl${Date.now()}`;
    const w = windowOf();
    const rpm = govKeys.rate(t, 't', 'rpm', w);
    const tpm = govKeys.rate(t, `key_${t}`, 'tpm', w);
    const dayWindow = govKeys.budget(t, `d:${day()}`);
    await gov.admit(input(t, { rpm: 10, tpm: 1000 }, 10), route(0));
    for (const [k, most] of [
      [rpm, 65],
      [tpm, 65],
      [dayWindow, 172_800],
    ] as const) {
      const ttl = await redis.ttl(k);
      assert.ok(ttl > 0 && ttl <= most, `${k}: ${ttl}`);
    }
    for (const k of [rpm, tpm, dayWindow]) await redis.pexpire(k, 1_000_000);
    await gov.admit(input(t, { rpm: 10, tpm: 1000 }, 10), route(0));
    await gov.admit(input(t, { rpm: 10, tpm: 1000 }, 10), route(0.001));
    for (const k of [rpm, tpm, dayWindow]) {
      const ttl = await redis.ttl(k);
      assert.ok(ttl > 990 && ttl <= 1000, `${k} kept its TTL: ${ttl}`);
    }
    assert.equal(await counter(t, 't', 'rpm', w), 3);
    assert.equal(await counter(t, `key_${t}`, 'tpm', w), 30);
    assert.equal(await reservedToday(t), 1_000_000, 'a zero reservation adds nothing');
  });
});
