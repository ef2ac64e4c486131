import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { describe, it } from 'node:test';
import { pinnedLookup } from './pinned-agent';

function ask(options: LookupOptions) {
  const lookup = pinnedLookup([
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ]);
  return new Promise<{ err: Error | null; address: string | LookupAddress[]; family?: number }>(
    (resolve) =>
      lookup('whatever.example', options, (err, address, family) =>
        resolve({ err, address, family }),
      ),
  );
}

void describe('pinnedLookup', () => {
  void it('answers only with the vetted addresses, whatever the hostname', async () => {
    assert.deepEqual(await ask({ all: true }), {
      err: null,
      address: [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ],
      family: undefined,
    });
    assert.deepEqual(await ask({}), { err: null, address: '127.0.0.1', family: 4 });
  });

  void it('honours a requested family, failing when no vetted address has it', async () => {
    assert.deepEqual(await ask({ family: 6 }), { err: null, address: '::1', family: 6 });
    const lookup = pinnedLookup([{ address: '127.0.0.1', family: 4 }]);
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('x', { family: 6, all: true }, (e) => resolve(e)),
    );
    assert.equal(err?.code, 'ENOTFOUND');
  });
});
