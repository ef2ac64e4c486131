import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeCostUsd } from './cost';

describe('computeCostUsd', () => {
  const usage = { inputTokens: 1_000, outputTokens: 500 };

  it('charges input and output tokens per million', () => {
    assert.equal(computeCostUsd({ inputPerMTok: 3, outputPerMTok: 15 }, usage), 0.0105);
  });

  it('charges per call and per image, on top of tokens', () => {
    assert.equal(computeCostUsd({ perCall: 0.002 }, usage), 0.002);
    assert.equal(
      computeCostUsd({ perImage: 0.0015 }, { inputTokens: 0, outputTokens: 0 }, 2),
      0.003,
    );
    assert.equal(
      computeCostUsd(
        { inputPerMTok: 3, outputPerMTok: 15, perCall: 0.002, perImage: 0.01 },
        usage,
        1,
      ),
      0.0225,
    );
  });

  it('is free without a price, and rounds to a billionth of a dollar', () => {
    assert.equal(computeCostUsd({}, usage, 3), 0);
    // 7 × 0.123456789 / 10⁶ = 0.000000864197523 → 0.000000864
    assert.equal(
      computeCostUsd({ inputPerMTok: 0.123456789 }, { inputTokens: 7, outputTokens: 0 }),
      0.000000864,
    );
  });
});
