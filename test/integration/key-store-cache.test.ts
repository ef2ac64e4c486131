import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { after, describe, it } from 'node:test';
import { hashApiKey, KeyStore } from '@gateway/governance';
import { Keys } from '@gateway/queue';
import { Redis } from 'ioredis';
import { testInfra } from '../support/repo';

describe('API key cache and revocation', () => {
  const redis = new Redis(testInfra().redisUrl);
  after(() => redis.disconnect());

  it('does not cache a lookup that was on its way to Redis when the key was revoked', async () => {
    const keys = new Keys(`kscache${Date.now()}`);
    const store = new KeyStore(redis, keys);
    await store.listen();
    try {
      const { key } = await store.create('acme', ['jobs:write']);
      const hash = hashApiKey(key);
      // The lookup's GET is queued on this connection first, so it reads the key as it was...
      const lookup = store.authenticate(key);
      // ...then another replica's revocation deletes it, and its invalidation message arrives
      // before the lookup's answer does.
      void redis.del(keys.apiKey(hash));
      const subscriber = (store as unknown as { subscriber: EventEmitter }).subscriber;
      subscriber.emit('message', keys.keyInvalidation(), hash);
      assert.ok(await lookup, 'the lookup in flight read the key before it was revoked');
      // What it read must not be served from the cache afterwards.
      assert.equal(await store.authenticate(key), null);
    } finally {
      await store.close();
    }
  });

  it('serves a key from the cache until it is invalidated', async () => {
    const keys = new Keys(`kscache2${Date.now()}`);
    const store = new KeyStore(redis, keys);
    await store.listen();
    try {
      const { key } = await store.create('acme', ['jobs:write']);
      const hash = hashApiKey(key);
      assert.ok(await store.authenticate(key));
      await redis.del(keys.apiKey(hash));
      assert.ok(await store.authenticate(key), 'cached for a few seconds');
      const subscriber = (store as unknown as { subscriber: EventEmitter }).subscriber;
      subscriber.emit('message', keys.keyInvalidation(), hash);
      assert.equal(await store.authenticate(key), null);
    } finally {
      await store.close();
    }
  });
});
