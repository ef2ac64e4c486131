import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeWindows, type Sample } from '../../bench/lib/soak-stats';

test('the soak summary handles a 30-minute run at 100 jobs/s (180,000 samples)', () => {
  const samples: Sample[] = Array.from({ length: 180_000 }, (_, i) => ({
    at: i * 10,
    submitMs: 5,
    totalMs: 50 + (i % 10),
    ok: i % 1000 !== 0,
  }));
  const memory = [{ at: 1_799_990, redisMb: 10, 'ingest-api': 300 }];
  const windows = summarizeWindows(samples, memory, 5 * 60_000);
  assert.equal(windows.length, 6);
  assert.equal(
    windows.reduce((n, w) => n + w.jobs, 0),
    180_000,
  );
  assert.equal(windows[0].jobs, 30_000);
  assert.equal(windows[0].failed, 30);
  assert.equal(windows[5].totalP99, 59);
});
