import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobRequest } from '@gateway/contracts';
import { DEFAULT_CASCADE_OPTIONS, scoreComplexity } from './cascade';
import { decide } from './decide';
import { toRoutingRequest } from './routing-request';
import { config, context, dep } from './spec-helpers';

const chat = (text: string, extra: Record<string, unknown> = {}): JobRequest =>
  JobRequest.parse({
    task: 'chat',
    input: { messages: [{ role: 'user', content: text }], ...extra },
  });

/** Documented examples (README "Cascade complexity"). */
const SIMPLE: JobRequest[] = [
  chat('Say hi'),
  JobRequest.parse({
    task: 'summarize',
    input: { text: 'The meeting moved to Thursday at 10am in room 4.', maxWords: 20 },
  }),
  JobRequest.parse({ task: 'classify', input: { text: 'I love it', labels: ['pos', 'neg'] } }),
];
const COMPLEX = chat(
  [
    'Step by step, explain why the following scheduler deadlocks and prove that your fix is correct.',
    '```ts',
    'async function take(a: Lock, b: Lock) { await a.lock(); await b.lock(); }',
    '```',
    'Requirements:',
    '1. The fix must keep the public API exactly as it is.',
    '2. It must not add more than one lock and should never busy-wait.',
    '3. Analyze the time complexity and compare it with the original.',
    '4. Ensure every edge case (timeouts, cancellation) is handled.',
    '5. Then rewrite the tests; finally list trade-offs.',
    '```ts',
    'test("no deadlock", async () => { await Promise.all([take(x, y), take(y, x)]); });',
    '```',
  ].join('\n'),
  { maxTokens: 4000 },
);

describe('scoreComplexity', () => {
  it('scores documented simple examples below the threshold', () => {
    for (const job of SIMPLE) {
      const { score } = scoreComplexity(job);
      assert.ok(score < DEFAULT_CASCADE_OPTIONS.threshold, `${job.task}: ${score}`);
    }
  });

  it('scores multi-step reasoning with code and many constraints above it', () => {
    const { score, features } = scoreComplexity(COMPLEX);
    assert.ok(score >= 0.6, String(score));
    assert.equal(features.codeBlocks, 2);
    assert.ok(features.reasoningCues >= 4 && features.stepCues >= 5 && features.constraints >= 5);
    assert.equal(features.requestedOutputTokens, 4000);
  });

  it('counts JSON schema size for extract', () => {
    const props = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, {}]));
    const job = JobRequest.parse({
      task: 'extract',
      input: { text: 'x', schema: { type: 'object', properties: props } },
    });
    assert.equal(scoreComplexity(job).features.schemaProperties, 30);
  });

  it('weights are configurable', () => {
    const onlyLength = {
      weights: { length: 1, code: 0, reasoning: 0, steps: 0, constraints: 0, output: 0, schema: 0 },
    };
    assert.equal(scoreComplexity(COMPLEX, onlyLength).score < 0.4, true);
    const onlyCode = { weights: { ...onlyLength.weights, length: 0, code: 1 } };
    assert.equal(scoreComplexity(COMPLEX, onlyCode).score, 1);
  });

  it('weights left out keep their defaults', () => {
    const base = scoreComplexity(COMPLEX).score;
    assert.equal(scoreComplexity(COMPLEX, { weights: {} }).score, base);
    const { weights } = DEFAULT_CASCADE_OPTIONS;
    assert.equal(scoreComplexity(COMPLEX, { weights: { code: weights.code } }).score, base);
    // Doubling every weight but one equals halving that one.
    const halved = scoreComplexity(COMPLEX, { weights: { code: weights.code / 2 } }).score;
    const doubled = Object.fromEntries(
      Object.entries(weights).map(([k, w]) => [k, k === 'code' ? w : w * 2]),
    );
    assert.ok(Math.abs(scoreComplexity(COMPLEX, { weights: doubled }).score - halved) < 1e-12);
  });

  it('stays within 0..1', () => {
    const huge = chat('why must we prove it step by step? ```x``` 1. a\n'.repeat(5000));
    const { score } = scoreComplexity(huge);
    assert.ok(score >= 0 && score <= 1);
  });
});

describe('cascade routing end to end', () => {
  const cfg = config({
    deployments: [
      dep('cheap', { price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } }),
      dep('strong', { provider: 'anthropic', price: { inputPerMTok: 3, outputPerMTok: 15 } }),
    ],
    routes: [
      { match: { task: 'chat' }, strategy: 'cascade', targets: ['cheap', 'strong'] },
      { match: { task: 'summarize' }, strategy: 'cascade', targets: ['cheap', 'strong'] },
    ],
  });
  const route = (job: JobRequest) => {
    const o = decide(toRoutingRequest(job, { stickyKey: 'j' }), context(cfg));
    assert.ok(o.ok);
    return o.decision.candidates;
  };

  it('simple jobs go to the cheap tier, with the strong one as fallback', () => {
    assert.deepEqual(route(SIMPLE[0]), ['cheap', 'strong']);
    assert.deepEqual(route(SIMPLE[1]), ['cheap', 'strong']);
  });

  it('complex jobs go to the strong tier', () => {
    assert.deepEqual(route(COMPLEX), ['strong', 'cheap']);
  });
});
