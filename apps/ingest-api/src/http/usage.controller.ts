import { Controller, Get, Inject, Query, Req, UseGuards } from '@nestjs/common';
import { totals, type UsageReport, type UsageRow, type UsageTotals } from '@gateway/governance';
import { GatewayError } from '@gateway/platform';
import { validated } from './validated';
import { UsageQuery, usageDays } from '../admin/admin-governance.controller';
import { USAGE_REPORT } from '../tokens';
import { ApiKeyGuard, RequireScope, type AuthedRequest } from './auth.guard';

/** The caller's tenant's spend, tokens and jobs by day, model and key. */
@Controller('v1/usage')
@UseGuards(ApiKeyGuard)
export class UsageController {
  constructor(@Inject(USAGE_REPORT) private readonly usage: UsageReport) {}

  @Get()
  @RequireScope('jobs:read')
  async get(
    @Req() req: AuthedRequest,
    @Query() query: unknown,
  ): Promise<{ data: UsageRow[]; totals: UsageTotals }> {
    const q = validated(UsageQuery, query ?? {});
    if (q.tenant !== undefined && q.tenant !== req.principal!.tenantId)
      throw new GatewayError('forbidden', "A key reads only its own tenant's usage; drop `tenant`");
    const rows = await this.usage.forTenant(req.principal!.tenantId, usageDays(q));
    return { data: rows, totals: totals(rows) };
  }
}
