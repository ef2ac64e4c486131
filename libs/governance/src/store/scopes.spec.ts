import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isScope, scopedStrategies } from './key-store';

describe('scopes', () => {
  it('accepts routing scopes naming a strategy or *, and nothing else', () => {
    for (const s of ['routing:cascade', 'routing:least-cost', 'routing:*', 'models:gpt-*'])
      assert.ok(isScope(s), s);
    for (const s of ['routing:fastest', 'routing:', 'routing:cascade,priority', 'routing'])
      assert.ok(!isScope(s), s);
  });

  it('limits the strategies a request may choose only when the key names some', () => {
    assert.equal(scopedStrategies(['jobs:write', 'models:gpt-*']), undefined);
    assert.equal(scopedStrategies(['jobs:write', 'routing:cascade', 'routing:*']), undefined);
    assert.deepEqual(scopedStrategies(['routing:least-cost', 'jobs:write', 'routing:priority']), [
      'priority',
      'least-cost',
    ]);
  });
});
