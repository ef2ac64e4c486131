/**
 * Limits that apply when a tenant or key sets none. Generous enough for development and
 * load tests, finite so a runaway client is stopped. Override per tenant in gateway.yaml
 * (`tenants[].limits`) or per key at creation (`limits` in `POST /admin/tenants/:id/keys`).
 */
export const DEFAULT_TENANT_LIMITS = { rpm: 6000, tpm: 2_000_000 } as const;
export const DEFAULT_KEY_LIMITS = { rpm: 3000, tpm: 1_000_000 } as const;
/** Share of a budget window past which a `budget.threshold` audit event is written (once). */
export const BUDGET_SOFT_THRESHOLD = 0.8;
