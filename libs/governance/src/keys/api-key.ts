import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Random characters after `gw_`: 48 base62 characters carry about 285 bits. */
export const API_KEY_SECRET_LENGTH = 48;
/** Characters of the key shown in listings (`gw_` + 8): enough to tell keys apart. */
const PREFIX_LENGTH = 3 + 8;
const API_KEY_FORMAT = new RegExp(`^gw_[0-9A-Za-z]{${API_KEY_SECRET_LENGTH}}$`);

/** A new key: `key` is shown once, `hash` is what gets stored, `id` and `prefix` are public. */
export interface GeneratedApiKey {
  /** Public handle for listing and revoking (`key_...`); reveals nothing about the key. */
  readonly id: string;
  /** The credential itself, `gw_` + base62. */
  readonly key: string;
  /** `hashApiKey(key, pepper)`: the lookup and the only form kept at rest. */
  readonly hash: string;
  /** The first characters of the key, so a user can recognise it in a list. */
  readonly prefix: string;
}

/** Uniform random base62 from the CSPRNG. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: dropping 248..255 keeps every character equally likely.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generateApiKey(pepper?: string): GeneratedApiKey {
  const key = `gw_${randomBase62(API_KEY_SECRET_LENGTH)}`;
  return {
    id: `key_${randomBase62(16)}`,
    key,
    hash: hashApiKey(key, pepper),
    prefix: key.slice(0, PREFIX_LENGTH),
  };
}

/** True when the string has the exact shape of a gateway key (a cheap reject before lookup). */
export function isApiKeyFormat(value: string): boolean {
  return API_KEY_FORMAT.test(value);
}

/**
 * Hex digest under which a key is stored. SHA-256 is enough for a 285-bit random secret
 * (nothing to brute-force); a server pepper (HMAC) also makes a leaked table useless
 * without the pepper.
 */
export function hashApiKey(key: string, pepper?: string): string {
  return pepper === undefined || pepper === ''
    ? createHash('sha256').update(key, 'utf8').digest('hex')
    : createHmac('sha256', pepper).update(key, 'utf8').digest('hex');
}

/**
 * Constant-time equality for secrets of any length: both sides are hashed first, so the
 * comparison always runs over 32 bytes and the time taken says nothing about the inputs.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
