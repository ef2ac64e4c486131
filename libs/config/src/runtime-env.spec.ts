import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRuntimeEnv } from './runtime-env';

describe('REDIS_CLUSTER_NODES', () => {
  it('is unset by default: one Redis at REDIS_URL', () => {
    const env = loadRuntimeEnv({ REDIS_URL: 'redis://10.0.0.5:6380' }, '/tmp');
    assert.equal(env.redisUrl, 'redis://10.0.0.5:6380');
    assert.equal(env.redisClusterNodes, undefined);
  });

  it('parses host:port seed nodes, spaces allowed', () => {
    const env = loadRuntimeEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001' });
    assert.deepEqual(env.redisClusterNodes, [
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
    ]);
  });

  it('refuses a node without a port, a URL and a port out of range, naming the variable', () => {
    for (const bad of ['10.0.0.1', 'redis://10.0.0.1:7000', '10.0.0.1:7000,', '10.0.0.1:70000']) {
      assert.throws(() => loadRuntimeEnv({ REDIS_CLUSTER_NODES: bad }), /REDIS_CLUSTER_NODES/, bad);
    }
  });
});
