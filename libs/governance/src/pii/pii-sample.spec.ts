import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { detectPii } from './detect-pii';
import { PII_TYPES, type PiiType } from './pii-types';

const SAMPLE = join('test', 'fixtures', 'pii', 'sample.jsonl');

/** The repository root: the nearest folder up from here with a package.json and the sample. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, SAMPLE))) return dir;
    if (dirname(dir) === dir) {
      // Compiled into a private folder (scripts/test-isolated.sh): the repository is the cwd.
      if (existsSync(join(process.cwd(), SAMPLE))) return process.cwd();
      throw new Error(`No ${SAMPLE} above ${__dirname}`);
    }
  }
}

interface Labelled {
  text: string;
  entities: { type: PiiType; value: string }[];
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

const ratio = (hit: number, total: number): number => (total === 0 ? 1 : hit / total);

describe('labelled PII sample', () => {
  const lines = readFileSync(join(repoRoot(), SAMPLE), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Labelled);

  it('has enough lines, with and without PII, covering every type', () => {
    assert.ok(lines.length >= 300, `only ${lines.length} lines`);
    assert.ok(lines.filter((l) => l.entities.length === 0).length >= 100);
    for (const type of PII_TYPES) {
      assert.ok(
        lines.some((l) => l.entities.some((e) => e.type === type)),
        type,
      );
    }
  });

  it('reaches precision and recall of at least 0.95 overall', () => {
    const tally = Object.fromEntries(PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }])) as Record<
      PiiType,
      Tally
    >;
    const misses: string[] = [];
    for (const { text, entities } of lines) {
      const expected = entities.map((e) => `${e.type}\u0000${e.value}`);
      for (const f of detectPii(text)) {
        const at = expected.indexOf(`${f.type}\u0000${f.value}`);
        if (at === -1) {
          tally[f.type].fp++;
          misses.push(`FP ${f.type} ${JSON.stringify(f.value)} in ${JSON.stringify(text)}`);
        } else {
          tally[f.type].tp++;
          expected.splice(at, 1);
        }
      }
      for (const key of expected) {
        const [type, value] = key.split('\u0000') as [PiiType, string];
        tally[type].fn++;
        misses.push(`FN ${type} ${JSON.stringify(value)} in ${JSON.stringify(text)}`);
      }
    }

    const overall = Object.values(tally).reduce(
      (sum, t) => ({ tp: sum.tp + t.tp, fp: sum.fp + t.fp, fn: sum.fn + t.fn }),
      { tp: 0, fp: 0, fn: 0 },
    );
    const row = (name: string, t: Tally): string =>
      [
        name.padEnd(12),
        String(t.tp).padStart(4),
        String(t.fp).padStart(4),
        String(t.fn).padStart(4),
        ratio(t.tp, t.tp + t.fp)
          .toFixed(3)
          .padStart(9),
        ratio(t.tp, t.tp + t.fn)
          .toFixed(3)
          .padStart(7),
      ].join(' ');
    console.log(
      [
        `PII sample: ${lines.length} lines`,
        'type           TP   FP   FN precision  recall',
        ...PII_TYPES.map((type) => row(type, tally[type])),
        row('overall', overall),
        ...misses,
      ].join('\n'),
    );

    assert.ok(ratio(overall.tp, overall.tp + overall.fp) >= 0.95, 'overall precision < 0.95');
    assert.ok(ratio(overall.tp, overall.tp + overall.fn) >= 0.95, 'overall recall < 0.95');
  });
});
