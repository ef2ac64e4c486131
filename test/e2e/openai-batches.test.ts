import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { BadRequestError, NotFoundError, PermissionDeniedError, toFile } from 'openai';
import { startGateway, type Gateway } from '../support/gateway-harness';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: local-chat, provider: local, model: chat-small, class: llm, tasks: [chat], aliases: [gpt-4o-mini],
      simulate: { latencyMs: 50 } }
  - { id: slow-chat, provider: local, model: chat-slow, class: llm, tasks: [chat],
      limits: { maxConcurrency: 1 }, simulate: { latencyMs: 1500 } }
tenants:
  - { id: acme }
  - { id: globex }
`;

const HOUR_SECONDS = 4;

const line = (id: string, model: string, text: string, url = '/v1/chat/completions') =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url,
    body: { model, messages: [{ role: 'user', content: text }], max_tokens: 32 },
  });

async function waitFor(client: OpenAI, id: string, statuses: string[], ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const b = await client.batches.retrieve(id);
    if (statuses.includes(b.status)) return b;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${b.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('OpenAI files and batches through the official SDK', () => {
  let gw: Gateway;
  let client: OpenAI;
  let other: OpenAI;
  let noScope: OpenAI;

  before(async () => {
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api', 'worker-llm'],
      // An hour of completion_window lasts 4 s, so a '1h' batch expires within the test (the
      // '24h' batches of the other tests get 96 s, far more than they need).
      env: { GATEWAY_BATCH_HOUR_SECONDS: String(HOUR_SECONDS) },
    });
    const url = `${gw.url}/v1`;
    client = new OpenAI({
      baseURL: url,
      apiKey: await gw.tenantKey('acme', undefined, true),
      maxRetries: 0,
    });
    other = new OpenAI({
      baseURL: url,
      apiKey: await gw.tenantKey('globex', undefined, true),
      maxRetries: 0,
    });
    noScope = new OpenAI({
      baseURL: url,
      apiKey: await gw.tenantKey('acme', ['jobs:read'], true),
      maxRetries: 0,
    });
  });
  after(async () => {
    await gw?.stop();
  });

  it('runs a batch to completed with output and error files keyed by custom_id', async () => {
    const jsonl = [
      line('req-1', 'gpt-4o-mini', 'Hello there, how are you?'),
      line('req-2', 'local-chat', 'What is a queue?'),
      line('req-3', 'no-such-model', 'This one cannot be routed.'),
      line('req-4', 'local-chat', 'Name two colours.'),
    ].join('\r\n');
    const file = await client.files.create({
      file: await toFile(Buffer.from(jsonl), 'in.jsonl'),
      purpose: 'batch',
    });
    assert.equal(file.object, 'file');
    assert.equal(file.purpose, 'batch');
    assert.equal((await client.files.retrieve(file.id)).id, file.id);
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { run: 'e2e' },
    });
    assert.equal(batch.status, 'validating');
    assert.equal(batch.request_counts?.total, 4);
    const done = await waitFor(client, batch.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(done.request_counts, { total: 4, completed: 3, failed: 1 });
    assert.ok(done.in_progress_at && done.finalizing_at && done.completed_at);

    const out = (await (await client.files.content(done.output_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(out.map((l) => l.custom_id).sort(), ['req-1', 'req-2', 'req-4']);
    for (const l of out) {
      assert.equal(l.response.status_code, 200);
      assert.equal(l.response.body.object, 'chat.completion');
      assert.ok(l.response.body.choices[0].message.content.length > 0);
      assert.equal(l.error, null);
    }
    const errs = (await (await client.files.content(done.error_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(errs.length, 1);
    assert.equal(errs[0].custom_id, 'req-3');
    assert.equal(errs[0].response.status_code, 400);
    assert.match(errs[0].response.body.error.message, /Unknown model/);

    // The batch's jobs ran at low priority as the tenant's own jobs.
    const jobId = out[0].response.request_id as string;
    const job = await fetch(`${gw.url}/v1/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${client.apiKey}` },
    });
    const rec = (await job.json()) as { priority: string; metadata: Record<string, string> };
    assert.equal(rec.priority, 'low');
    assert.equal(rec.metadata.batch_id, batch.id);

    // Another tenant sees neither the file nor the batch; a key without the scope is refused.
    await assert.rejects(other.files.retrieve(file.id), (e) => e instanceof NotFoundError);
    await assert.rejects(
      other.files.content(done.output_file_id!),
      (e) => e instanceof NotFoundError,
    );
    await assert.rejects(other.batches.retrieve(batch.id), (e) => e instanceof NotFoundError);
    await assert.rejects(noScope.batches.list(), (e) => e instanceof PermissionDeniedError);
    const listed = await client.batches.list();
    assert.ok(listed.data.some((b) => b.id === batch.id));
    assert.ok(!(await other.batches.list()).data.length);
  });

  it('refuses an invalid file naming the line, and fails a batch whose lines call another endpoint', async () => {
    const badFile = [line('a', 'local-chat', 'ok'), '{"custom_id":"b","method":"GET"}'].join('\n');
    await assert.rejects(
      client.files.create({
        file: await toFile(Buffer.from(badFile), 'bad.jsonl'),
        purpose: 'batch',
      }),
      (e) => e instanceof BadRequestError && /line 2/.test(e.message),
    );
    const file = await client.files.create({
      file: await toFile(Buffer.from(line('a', 'local-chat', 'hi')), 'chat.jsonl'),
      purpose: 'batch',
    });
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/embeddings',
      completion_window: '24h',
    });
    const failed = await waitFor(client, b.id, ['failed', 'completed']);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.errors?.data?.[0]?.code, 'mismatched_endpoint');
  });

  it('cancels a running batch: in-flight jobs stop, finished ones are kept', async () => {
    const lines = Array.from({ length: 6 }, (_, i) =>
      line(`slow-${i}`, 'slow-chat', `Question number ${i}?`),
    );
    const file = await client.files.create({
      file: await toFile(Buffer.from(lines.join('\n')), 's.jsonl'),
      purpose: 'batch',
    });
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    await waitFor(client, b.id, ['in_progress']);
    // Let the runner hand the lines to the queue: one runs, the others wait behind it.
    await new Promise((r) => setTimeout(r, 600));
    const cancelling = await client.batches.cancel(b.id);
    assert.ok(['cancelling', 'cancelled'].includes(cancelling.status));
    const done = await waitFor(client, b.id, ['cancelled', 'completed'], 20_000);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.cancelled_at);
    assert.ok(done.request_counts!.completed < 6, JSON.stringify(done.request_counts));
    assert.equal(done.request_counts!.completed + done.request_counts!.failed, 6);
    const errs = (await (await client.files.content(done.error_file_id!)).text())
      .trim()
      .split('\n');
    assert.equal(errs.length, done.request_counts!.failed);
    for (const l of errs) assert.equal(JSON.parse(l).error?.code, 'batch_cancelled', l);
    await assert.rejects(
      client.batches.cancel(b.id),
      (e: unknown) => (e as { status?: number }).status === 409,
    );
  });

  it('expires a batch whose completion window passes: finished lines kept, the rest batch_expired', async () => {
    // Two quick lines, then more slow ones (one at a time, 1.5 s each) than a batch keeps in
    // flight: some run, some wait in the queue, some are never sent before the window ends.
    const lines = [
      line('fast-0', 'local-chat', 'Hello?'),
      line('fast-1', 'local-chat', 'Hi?'),
      ...Array.from({ length: 300 }, (_, i) => line(`slow-${i}`, 'slow-chat', `Question ${i}?`)),
    ];
    const file = await client.files.create({
      file: await toFile(Buffer.from(lines.join('\n')), 'expiring.jsonl'),
      purpose: 'batch',
    });
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      // The SDK's type knows only OpenAI's '24h'; the gateway takes any whole number of hours.
      completion_window: '1h' as '24h',
    });
    assert.equal(b.expires_at! - b.created_at, HOUR_SECONDS);
    const done = await waitFor(client, b.id, ['expired', 'completed', 'failed'], 30_000);
    assert.equal(done.status, 'expired', JSON.stringify(done));
    assert.ok(done.in_progress_at && done.finalizing_at && done.expired_at);
    assert.equal(done.completed_at, null);
    const counts = done.request_counts!;
    assert.equal(counts.total, lines.length);
    assert.equal(counts.completed + counts.failed, lines.length);
    assert.ok(counts.completed >= 2 && counts.completed < 10, JSON.stringify(counts));

    const read = async (id: string) =>
      (await (await client.files.content(id)).text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const out = await read(done.output_file_id!);
    const errs = await read(done.error_file_id!);
    assert.equal(out.length, counts.completed);
    assert.equal(errs.length, counts.failed);
    for (const l of out) assert.equal(l.response.status_code, 200, JSON.stringify(l));
    assert.ok(
      out.some((l) => l.custom_id === 'fast-0') && out.some((l) => l.custom_id === 'fast-1'),
    );
    for (const l of errs) {
      assert.equal(l.response, null);
      assert.equal(l.error.code, 'batch_expired', JSON.stringify(l));
      assert.match(l.error.message, /completion window expired/);
    }
    // Every line is answered exactly once, in one file or the other.
    const ids = [...out, ...errs].map((l) => l.custom_id as string);
    assert.equal(new Set(ids).size, lines.length);

    // The batch's jobs that had not finished were cancelled; none is left to run.
    const batchJobs = async (status: string) => {
      const found: { error: { message: string } }[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const q = `status=${status}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
        const r = await fetch(`${gw.url}/v1/jobs?${q}`, {
          headers: { authorization: `Bearer ${client.apiKey}` },
        });
        const body = (await r.json()) as {
          data: { metadata?: Record<string, string>; error: { message: string } }[];
          nextCursor: string | null;
        };
        found.push(...body.data.filter((j) => j.metadata?.batch_id === b.id));
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      return found;
    };
    assert.equal((await batchJobs('queued')).length, 0);
    assert.equal((await batchJobs('running')).length, 0);
    const cancelled = await batchJobs('cancelled');
    assert.ok(cancelled.length > 0 && cancelled.length < counts.failed, `${cancelled.length}`);
    for (const j of cancelled) assert.match(j.error.message, /completion window of batch/);
  });
});
