import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message, ProducerBatch } from 'kafkajs';
import { CoalescingSender } from './coalescing-sender';

/** A producer whose requests settle when the test says so. */
function fakeProducer() {
  const requests: { batch: ProducerBatch; settle(e?: Error): void }[] = [];
  return {
    requests,
    producer: {
      sendBatch: (batch: ProducerBatch) =>
        new Promise<never[]>((resolve, reject) => {
          requests.push({ batch, settle: (e) => (e ? reject(e) : resolve([])) });
        }),
    },
  };
}

const msgs = (prefix: string, n: number): Message[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v-${prefix}${i}` }));
const keysOf = (b: ProducerBatch) =>
  b.topicMessages!.flatMap((t) => t.messages.map((m) => `${t.topic}/${String(m.key)}`));
const tick = () => new Promise((r) => setImmediate(r));

test('sends at once when idle; what comes while a request is out leaves together next', async () => {
  const { requests, producer } = fakeProducer();
  const sender = new CoalescingSender(producer);
  const settled: string[] = [];
  const a = sender.send(new Map([['results', msgs('a', 1)]])).then(() => settled.push('a'));
  await tick();
  assert.equal(requests.length, 1);
  const b = sender.send(new Map([['results', msgs('b', 2)]])).then(() => settled.push('b'));
  const c = sender.send(new Map([['audit', msgs('c', 1)]])).then(() => settled.push('c'));
  await tick();
  assert.equal(requests.length, 1, 'nothing else leaves while the first request is out');
  requests[0].settle();
  await a;
  await tick();
  assert.deepEqual(settled, ['a'], 'b and c wait for the request that carries them');
  assert.equal(requests.length, 2);
  assert.deepEqual(keysOf(requests[1].batch), ['results/b0', 'results/b1', 'audit/c0']);
  assert.equal(requests[1].batch.acks, -1);
  requests[1].settle();
  await Promise.all([b, c]);
  assert.deepEqual(settled, ['a', 'b', 'c']);
});

test('a failed request rejects exactly the sends it carried; the next still goes', async () => {
  const { requests, producer } = fakeProducer();
  const sender = new CoalescingSender(producer);
  const first = sender.send(new Map([['results', msgs('a', 1)]]));
  await tick();
  const second = sender.send(new Map([['results', msgs('b', 1)]]));
  requests[0].settle(new Error('broker gone'));
  await assert.rejects(first, /broker gone/);
  await tick();
  assert.equal(requests.length, 2);
  requests[1].settle();
  await second;
});

test('keeps each request under 2,000 messages, never splitting one caller', async () => {
  const { requests, producer } = fakeProducer();
  const sender = new CoalescingSender(producer);
  const all = [sender.send(new Map([['results', msgs('x', 1)]]))];
  await tick();
  for (const p of ['a', 'b', 'c']) all.push(sender.send(new Map([['results', msgs(p, 900)]])));
  requests[0].settle();
  await tick();
  assert.equal(requests.length, 2);
  assert.equal(keysOf(requests[1].batch).length, 1800, 'a and b; c would pass the bound');
  requests[1].settle();
  await tick();
  assert.equal(keysOf(requests[2].batch).length, 900);
  requests[2].settle();
  await Promise.all(all);
});

test('with a linger, sends that come within it share one request even when Kafka is idle', async () => {
  const { requests, producer } = fakeProducer();
  const sender = new CoalescingSender(producer, 20);
  const a = sender.send(new Map([['results', msgs('a', 1)]]));
  await new Promise((r) => setTimeout(r, 5));
  const b = sender.send(new Map([['results', msgs('b', 1)]]));
  assert.equal(requests.length, 0, 'nothing leaves during the linger');
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(requests.length, 1);
  assert.deepEqual(keysOf(requests[0].batch), ['results/a0', 'results/b0']);
  requests[0].settle();
  await Promise.all([a, b]);
});
