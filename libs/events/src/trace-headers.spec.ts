import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventHeaders, traceparentOfEvent } from './trace-headers';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('reads the traceparent of the envelope', () => {
  const v = JSON.stringify({ specversion: '1.0', id: 'j', traceparent: TP, data: { a: 1 } });
  assert.equal(traceparentOfEvent(v), TP);
  assert.deepEqual(eventHeaders(v), {
    'content-type': 'application/cloudevents+json',
    traceparent: TP,
  });
});

test('ignores a traceparent inside the payload and events without one', () => {
  const v = JSON.stringify({ specversion: '1.0', id: 'j', data: { traceparent: TP } });
  assert.equal(traceparentOfEvent(v), undefined);
  assert.deepEqual(eventHeaders(v), { 'content-type': 'application/cloudevents+json' });
});
