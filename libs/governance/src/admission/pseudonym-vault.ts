import { deleteKeys, type RedisClient as Redis } from '@gateway/storage';
import type { PayloadCipher } from '../crypto/payload-cipher';
import type { GovKeys } from '../gov-keys';
import type { PseudonymMapping } from '../pii/pseudonymise';

/**
 * Where a pseudonymised job's mapping waits for its output: beside the job (same shard tag),
 * encrypted when a payload key is configured, expiring with the job's record.
 */
export class PseudonymVault {
  constructor(
    private readonly redis: Redis,
    private readonly keys: GovKeys,
    private readonly cipher?: PayloadCipher,
  ) {}

  async save(jobId: string, mapping: PseudonymMapping, ttlSec: number): Promise<void> {
    const json = JSON.stringify(mapping);
    const stored = this.cipher ? this.cipher.encrypt(json, `pii:${jobId}`) : json;
    await this.redis.set(this.keys.pseudonyms(jobId), stored, 'EX', Math.max(60, ttlSec));
  }

  async load(jobId: string): Promise<PseudonymMapping | null> {
    const raw = await this.redis.get(this.keys.pseudonyms(jobId));
    if (raw === null) return null;
    const json = raw.startsWith('{') ? raw : this.decrypt(raw, jobId);
    return JSON.parse(json) as PseudonymMapping;
  }

  async delete(jobIds: readonly string[]): Promise<void> {
    await deleteKeys(
      this.redis,
      jobIds.map((id) => this.keys.pseudonyms(id)),
    );
  }

  private decrypt(raw: string, jobId: string): string {
    if (!this.cipher)
      throw new Error('A pseudonym mapping is encrypted; set GATEWAY_ENCRYPTION_KEY to read it');
    return this.cipher.decrypt(raw, `pii:${jobId}`).toString('utf8');
  }
}
