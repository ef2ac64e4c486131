import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { createLogger } from './logger';
import { logProcessWarnings, printProcessWarnings } from './process-warnings';

const kafkajsTimer = (): Error => {
  const w = new Error('-1796591752245 is a negative number.');
  w.name = 'TimeoutNegativeWarning';
  w.stack = [
    `${w.name}: ${w.message}`,
    '    at new Timeout (node:internal/timers:233:17)',
    '    at setTimeout (node:timers:125:19)',
    '    at RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)',
  ].join('\n');
  return w;
};

test('process warnings become JSON log lines; the kafkajs negative timer goes at debug', async () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('spec', 'debug', {
    write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>),
  });
  logProcessWarnings(log);
  assert.equal(
    process.listeners('warning').filter((l) => l.name === 'onWarning').length,
    0,
    "Node's stderr printer is replaced",
  );

  setTimeout(() => undefined, -5).unref();
  process.emitWarning(kafkajsTimer());
  process.emitWarning('the old option is going away', {
    type: 'DeprecationWarning',
    code: 'GW001',
  });
  await tick();
  await tick();

  const warnings = lines.filter((l) => typeof l.warning === 'string');
  assert.deepEqual(
    warnings.map((l) => [l.level, l.warning, l.code ?? null]),
    [
      [40, 'TimeoutNegativeWarning', null],
      [20, 'TimeoutNegativeWarning', null],
      [40, 'DeprecationWarning', 'GW001'],
    ],
  );
  assert.match(String(warnings[0].msg), /negative number/);
  assert.equal(warnings[2].msg, 'the old option is going away');
  assert.ok(Array.isArray(warnings[0].at) && (warnings[0].at as string[]).length > 0);
});

test('scripts print warnings like Node does, all but the kafkajs negative timer', async () => {
  const printed: string[] = [];
  printProcessWarnings((line) => void printed.push(line));
  assert.equal(process.listeners('warning').filter((l) => l.name === 'onWarning').length, 0);

  process.emitWarning(kafkajsTimer());
  // The same warning raised anywhere else still prints (Node raises its own only once).
  const ours = new Error('-5 is a negative number.');
  ours.name = 'TimeoutNegativeWarning';
  process.emitWarning(ours);
  process.emitWarning('the old option is going away', {
    type: 'DeprecationWarning',
    code: 'GW001',
  });
  await tick();
  await tick();

  assert.deepEqual(printed, [
    `(node:${process.pid}) TimeoutNegativeWarning: -5 is a negative number.\n`,
    `(node:${process.pid}) [GW001] DeprecationWarning: the old option is going away\n`,
  ]);
});
