import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyStore } from '@gateway/governance';
import { Keys } from '@gateway/queue';
import { createRedisClient, type RedisTarget } from '@gateway/storage';

/** The admin credential for development: GATEWAY_ADMIN_KEY, else a generated key file. */
export function ensureAdminKey(
  dataDir: string,
  fromEnv: string | undefined,
): { key: string; path: string | null } {
  if (fromEnv) return { key: fromEnv, path: null };
  const path = join(dataDir, 'admin-key');
  if (existsSync(path)) return { key: readFileSync(path, 'utf8').trim(), path };
  const key = `gwadm_${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, key + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, path };
}

/**
 * A development tenant key in `.gateway/dev-key`: reused while Redis still knows it (warm
 * start), created otherwise. The tenant `dev` is declared in gateway.yaml.
 */
export async function ensureDevKey(opts: {
  dataDir: string;
  redis: RedisTarget;
  prefix: string;
  tenantId: string;
}): Promise<{ key: string; path: string }> {
  const path = join(opts.dataDir, 'dev-key');
  const redis = createRedisClient(opts.redis, { maxRetriesPerRequest: 3 });
  const store = new KeyStore(redis, new Keys(opts.prefix));
  try {
    if (existsSync(path)) {
      const key = readFileSync(path, 'utf8').trim();
      if (await store.authenticate(key)) return { key, path };
    }
    const created = await store.create(opts.tenantId, ['jobs:write', 'jobs:read', 'batches']);
    writeFileSync(path, created.key + '\n', { mode: 0o600 });
    return { key: created.key, path };
  } finally {
    redis.disconnect();
  }
}
