import { AdminCredentials, TenantErasure, UsageReport } from '@gateway/governance';
import { jobGovernanceFor, startBudgetSettlement, type GatewayContext } from '@gateway/platform';
import { AdminGovernanceController } from './admin/admin-governance.controller';
import { resolveAdminKey } from './admin/admin.guard';
import { UsageController } from './http/usage.controller';
import { ADMIN_CREDENTIALS, JOB_GOVERNANCE, TENANT_ERASURE, USAGE_REPORT } from './tokens';

export const GOVERNANCE_CONTROLLERS = [AdminGovernanceController, UsageController];

/**
 * Governance wiring of the ingest API: rate limits and audit (guards), admin credentials,
 * usage, erasure, and the backstop sweep that settles ended jobs' budget reservations.
 */
export function governanceProviders(ctx: GatewayContext) {
  const gov = jobGovernanceFor(ctx);
  startBudgetSettlement(ctx, gov.ledger);
  return [
    { provide: JOB_GOVERNANCE, useValue: gov },
    {
      provide: ADMIN_CREDENTIALS,
      useValue: new AdminCredentials(ctx.redis, gov.govKeys, resolveAdminKey(ctx)),
    },
    { provide: USAGE_REPORT, useValue: new UsageReport(ctx.redis, gov.govKeys) },
    {
      provide: TENANT_ERASURE,
      useValue: new TenantErasure(ctx.redis, ctx.keys, gov.govKeys, ctx.blobs),
    },
  ];
}
