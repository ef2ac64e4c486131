import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { apiKey, privateKey } from '../pii/testing/pii-arbitraries';
import { generateApiKey } from './api-key';
import { redactSecrets } from './redact-secrets';

describe('redactSecrets', () => {
  it('hides gateway keys and vendor secrets in any log line', () => {
    const templates = fc.constantFrom(
      (s: string) => `auth failed for key ${s}`,
      (s: string) => `{"headers":{"authorization":"Bearer ${s}"},"status":401}`,
      (s: string) => `provider said: invalid api key "${s}".`,
      (s: string) => `x-api-key=${s}&retry=1`,
      (s: string) => `${s}`,
    );
    const secret = fc.oneof(
      apiKey,
      privateKey,
      fc.constant(null).map(() => generateApiKey().key),
    );
    fc.assert(
      fc.property(templates, secret, (line, s) => {
        const out = redactSecrets(line(s));
        assert.ok(!out.includes(s), out);
        assert.match(out, /\[REDACTED/);
      }),
      { numRuns: 300 },
    );
  });

  it('hides bearer and basic credentials, URL passwords and password assignments', () => {
    assert.equal(redactSecrets('Authorization: Bearer abc.def-123'), 'Authorization: [REDACTED]');
    assert.equal(
      redactSecrets('sent Bearer abcdef123456 upstream'),
      'sent Bearer [REDACTED] upstream',
    );
    assert.equal(redactSecrets('Basic dXNlcjpwYXNz'), 'Basic [REDACTED]');
    assert.equal(
      redactSecrets('connecting to redis://default:s3cr3t@cache:6379/0'),
      'connecting to redis://default:[REDACTED]@cache:6379/0',
    );
    assert.equal(redactSecrets('password=hunter2 user=bob'), 'password=[REDACTED] user=bob');
    assert.equal(redactSecrets('key gw_abc12345 truncated'), 'key [REDACTED_API_KEY] truncated');
  });

  it('stays linear on long repetitive input', () => {
    for (const unit of ['a.', 'a-', 'http://a:', 'Bearer ', 'password=']) {
      const started = performance.now();
      redactSecrets(unit.repeat(20_000));
      assert.ok(performance.now() - started < 2000, unit);
    }
  });

  it('leaves ordinary messages alone', () => {
    const line = 'job 7f3e2c1a-9b8d-4e6f-a1b2-c3d4e5f60718 failed: upstream 503 after 3 attempts';
    assert.equal(redactSecrets(line), line);
  });
});
