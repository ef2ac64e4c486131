// PII detection and policies.
export { PII_POLICIES, PII_TYPES, emptyPiiCounts } from './pii/pii-types';
export type { PiiFinding, PiiPolicy, PiiType } from './pii/pii-types';
export { detectPii } from './pii/detect-pii';
export { maskValue } from './pii/mask';
export {
  PlaceholderSafeSplitter,
  restorePseudonyms,
  type PseudonymMapping,
} from './pii/pseudonymise';
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

// Governance at admission: rate limits, budgets, PII on inputs, audit of every refusal.
export { AuditLog, type AuditInput } from './audit/audit-log';
export { GovKeys, dayOf, monthOf } from './gov-keys';
export {
  DEFAULT_KEY_LIMITS,
  DEFAULT_TENANT_LIMITS,
  BUDGET_SOFT_THRESHOLD,
} from './limits/default-limits';
export {
  RateLimiter,
  tightest,
  type RateLimitState,
  type RateLimitResult,
  type RateSubject,
} from './limits/rate-limiter';
export {
  BudgetLedger,
  windowReset,
  type Reservation,
  type ReserveResult,
} from './budget/budget-ledger';
export { SettlementSweeper } from './budget/settlement-sweeper';
export {
  UsageReport,
  daysBetween,
  totals,
  type UsageRow,
  type UsageTotals,
} from './usage/usage-report';
export { PolicyRefusal } from './admission/policy-refusal';
export { PseudonymVault } from './admission/pseudonym-vault';
export { JobGovernance, type Admission, type AdmissionInput } from './admission/job-governance';
export {
  ADMIN_ROLES,
  AdminCredentials,
  roleAllows,
  type AdminPrincipal,
  type AdminRole,
  type StoredAdminCredential,
} from './admin/admin-credentials';
export { TenantErasure, type ErasureReport } from './erasure/tenant-erasure';
