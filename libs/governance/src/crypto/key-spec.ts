/** One AES-256 key and the id written into every payload it encrypts. */
export interface EncryptionKey {
  readonly kid: string;
  readonly key: Buffer;
}

/** Key id given to a key written without one (`GATEWAY_ENCRYPTION_KEY=<key>`). */
export const DEFAULT_KEY_ID = 'default';

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}={0,1}$/;

const HOW_TO_GENERATE =
  "generate one with: node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64'))\"";

/**
 * Parses `GATEWAY_ENCRYPTION_KEY`: `key` or `kid1:key1,kid2:key2`, each key 32 bytes as
 * base64/base64url (43-44 chars) or hex (64 chars). The first key encrypts; all decrypt.
 * Errors name the entry and the fix, never the key material.
 */
export function parseKeySpec(spec: string): EncryptionKey[] {
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new Error(`GATEWAY_ENCRYPTION_KEY is empty; ${HOW_TO_GENERATE}`);
  }
  const keys: EncryptionKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const kid = colon === -1 ? DEFAULT_KEY_ID : entry.slice(0, colon).trim();
    const material = colon === -1 ? entry : entry.slice(colon + 1).trim();
    const where = `GATEWAY_ENCRYPTION_KEY entry ${index + 1}`;
    if (!KID.test(kid)) {
      throw new Error(`${where}: key id must be 1-32 characters of A-Z a-z 0-9 _ -`);
    }
    if (keys.some((k) => k.kid === kid)) {
      throw new Error(`${where}: key id "${kid}" appears twice; give every key its own id`);
    }
    keys.push({ kid, key: decodeKey(material, where) });
  });
  return keys;
}

function decodeKey(material: string, where: string): Buffer {
  let key: Buffer | undefined;
  if (HEX_KEY.test(material)) key = Buffer.from(material, 'hex');
  else if (BASE64_KEY.test(material)) key = Buffer.from(material, 'base64');
  if (key?.length !== 32) {
    throw new Error(
      `${where}: a key must be 32 bytes written as 64 hex or 44 base64 characters ` +
        `(got ${material.length} characters); ${HOW_TO_GENERATE}`,
    );
  }
  return key;
}
