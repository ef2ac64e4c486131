import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { parseKeySpec, type EncryptionKey } from './key-spec';

/*
 * Encryption of stored payloads (job inputs and outputs, pseudonym mappings, batch files).
 *
 * Format: `v1.<kid>.<iv>.<tag>.<ciphertext>`, the last three base64url. AES-256-GCM with a
 * fresh random 96-bit IV per message; the version and key id are authenticated as
 * associated data, so a payload cannot be relabelled to another key, and an optional
 * context (e.g. the job id) binds a payload to the record it belongs to.
 *
 * Key rotation
 *   GATEWAY_ENCRYPTION_KEY holds one key (`<key>`, id "default") or a list
 *   `kid1:key1,kid2:key2`. The first key encrypts; every listed key decrypts, chosen by the
 *   key id stored in each payload. Keys are 32 random bytes, base64 or hex:
 *     node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"
 *   To rotate:
 *   1. Add the new key at the end (`k1:<old>,k2:<new>`) and roll it out to every process.
 *      Nothing changes yet, but every replica can now read what k2 will write.
 *   2. Move it to the front (`k2:<new>,k1:<old>`) and roll out again: new payloads use k2,
 *      old ones still decrypt with k1.
 *   3. Drop k1 once nothing encrypted with it remains (its jobs have expired or been
 *      re-encrypted). A payload whose key id is no longer listed fails with an error naming
 *      that id.
 *   A single key without an id is the key "default": to rotate away from it, write it as
 *   `default:<old>` next to the new key. Rotate long before one key has encrypted 2^32
 *   payloads (the safe limit for random GCM IVs), and at once if a key may have leaked.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a payload is malformed, tampered with, or under a key this process lacks. */
export class DecryptionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DecryptionError';
  }
}

export interface PayloadCipher {
  /** Key id new payloads are written with. */
  readonly keyId: string;
  /** Every key id this cipher can read. */
  readonly keyIds: readonly string[];
  encrypt(plaintext: Buffer | string, context?: string): string;
  /** Throws `DecryptionError` unless the payload is intact and `context` matches. */
  decrypt(payload: string, context?: string): Buffer;
}

/** Builds a cipher from `GATEWAY_ENCRYPTION_KEY`-style text or already parsed keys. */
export function createCipher(keySpec: string | readonly EncryptionKey[]): PayloadCipher {
  const keys = typeof keySpec === 'string' ? parseKeySpec(keySpec) : [...keySpec];
  const [current] = keys;
  if (current === undefined) throw new Error('createCipher needs at least one key');
  const byId = new Map(keys.map((k) => [k.kid, k.key]));

  return {
    keyId: current.kid,
    keyIds: keys.map((k) => k.kid),
    encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(current.kid, context));
      const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, current.kid, b64(iv), b64(tag), b64(data)].join('.');
    },
    decrypt(payload, context) {
      const parts = payload.split('.');
      if (parts.length !== 5 || parts[0] !== VERSION) {
        throw new DecryptionError(`Not a ${VERSION} encrypted payload`);
      }
      const [, kid, ivText, tagText, dataText] = parts;
      const key = byId.get(kid);
      if (key === undefined) {
        throw new DecryptionError(
          `Payload was encrypted with key "${kid}", which GATEWAY_ENCRYPTION_KEY no longer lists`,
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      const data = Buffer.from(dataText, 'base64url');
      // Only the canonical encoding is accepted, so every altered character is an error even
      // where base64 would have decoded it to the same bytes.
      if (
        iv.length !== IV_BYTES ||
        tag.length !== TAG_BYTES ||
        b64(iv) !== ivText ||
        b64(tag) !== tagText ||
        b64(data) !== dataText
      ) {
        throw new DecryptionError('Encrypted payload is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(associatedData(kid, context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]);
      } catch (cause) {
        throw new DecryptionError(
          'Encrypted payload failed authentication (tampered or wrong context)',
          {
            cause,
          },
        );
      }
    },
  };
}

function associatedData(kid: string, context: string | undefined): Buffer {
  return Buffer.from(`${VERSION}.${kid}\u0000${context ?? ''}`, 'utf8');
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}
