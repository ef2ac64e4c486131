import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventJsonSchemas } from '@gateway/contracts';
import { repoRoot } from '../support/repo';

describe('published JSON Schemas', () => {
  it('match what libs/contracts generates (run `npm run schemas` when this fails)', () => {
    for (const [file, schema] of Object.entries(eventJsonSchemas())) {
      const committed: unknown = JSON.parse(
        readFileSync(join(repoRoot(), 'schemas', file), 'utf8'),
      );
      assert.deepEqual(committed, JSON.parse(JSON.stringify(schema)), `schemas/${file} is stale`);
    }
  });
});
