// PII detection and policies.
export { PII_POLICIES, PII_TYPES, emptyPiiCounts } from './pii/pii-types';
export type { PiiFinding, PiiPolicy, PiiType } from './pii/pii-types';
export { detectPii } from './pii/detect-pii';
export { maskValue } from './pii/mask';
export { restorePseudonyms, type PseudonymMapping } from './pii/pseudonymise';
export {
  applyPiiPolicy,
  restorePseudonymsIn,
  type PiiPolicyOptions,
  type PiiPolicyResult,
} from './pii/apply-pii-policy';

// Payload encryption.
export { DEFAULT_KEY_ID, parseKeySpec, type EncryptionKey } from './crypto/key-spec';
export { createCipher, DecryptionError, type PayloadCipher } from './crypto/payload-cipher';

// API key primitives.
export {
  API_KEY_SECRET_LENGTH,
  generateApiKey,
  hashApiKey,
  isApiKeyFormat,
  parseBearer,
  randomBase62,
  redactSecrets,
  safeEqual,
  type GeneratedApiKey,
} from './keys';
export * from './store/key-store';
export * from './store/tenant-store';
