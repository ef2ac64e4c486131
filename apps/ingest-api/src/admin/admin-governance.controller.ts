import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ADMIN_ROLES,
  daysBetween,
  totals,
  type AdminCredentials,
  type ErasureReport,
  type StoredAdminCredential,
  type TenantErasure,
  type TenantStore,
  type UsageReport,
  type UsageRow,
  type UsageTotals,
} from '@gateway/governance';
import { GatewayError } from '@gateway/platform';
import { z } from 'zod';
import { ADMIN_CREDENTIALS, TENANT_ERASURE, TENANT_STORE, USAGE_REPORT } from '../tokens';
import { validated } from '../http/validated';
import { AdminGuard, AdminRoleRequired } from './admin.guard';

const CreateCredential = z.strictObject({
  name: z.string().min(1).max(64),
  role: z.enum(ADMIN_ROLES),
});

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC date, YYYY-MM-DD');

/** `?from=&to=` (UTC days, at most 93; default the last 7 days). */
export const UsageQuery = z.strictObject({
  from: Day.optional(),
  to: Day.optional(),
  tenant: z.string().min(1).max(64).optional(),
});

export function usageDays(q: { from?: string; to?: string }): string[] {
  const to = q.to ?? new Date().toISOString().slice(0, 10);
  const from =
    q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 86400_000).toISOString().slice(0, 10);
  const days = daysBetween(from, to);
  if (days.length === 0)
    throw new GatewayError('validation_failed', '`from` must not be after `to`');
  return days;
}

/** Named admin credentials, usage across tenants, and erasure of a tenant's stored data. */
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminGovernanceController {
  constructor(
    @Inject(ADMIN_CREDENTIALS) private readonly creds: AdminCredentials,
    @Inject(USAGE_REPORT) private readonly usage: UsageReport,
    @Inject(TENANT_STORE) private readonly tenants: TenantStore,
    @Inject(TENANT_ERASURE) private readonly erasure: TenantErasure,
  ) {}

  @Post('credentials')
  @HttpCode(201)
  @AdminRoleRequired('admin')
  async createCredential(
    @Body() body: unknown,
  ): Promise<StoredAdminCredential & { credential: string }> {
    const req = validated(CreateCredential, body);
    const c = await this.creds.create(req.name, req.role);
    return { ...c.record, credential: c.credential };
  }

  @Get('credentials')
  @AdminRoleRequired('admin')
  async listCredentials(): Promise<{ data: StoredAdminCredential[] }> {
    return { data: await this.creds.list() };
  }

  @Delete('credentials/:id')
  @HttpCode(200)
  @AdminRoleRequired('admin')
  async revokeCredential(@Param('id') id: string): Promise<{ id: string; revoked: true }> {
    if (!(await this.creds.revoke(id)))
      throw new GatewayError('not_found', `No credential "${id}"`);
    return { id, revoked: true };
  }

  @Get('usage')
  async allUsage(@Query() query: unknown): Promise<{ data: UsageRow[]; totals: UsageTotals }> {
    const q = validated(UsageQuery, query ?? {});
    const days = usageDays(q);
    const ids = q.tenant ? [q.tenant] : (await this.tenants.list()).map((t) => t.id);
    const rows = (await Promise.all(ids.map((id) => this.usage.forTenant(id, days)))).flat();
    return { data: rows, totals: totals(rows) };
  }

  /** Erases the tenant's stored jobs, payloads and idempotency keys (not the tenant or keys). */
  @Delete('tenants/:id/data')
  @HttpCode(200)
  @AdminRoleRequired('admin')
  async eraseTenantData(@Param('id') id: string): Promise<ErasureReport> {
    if (!(await this.tenants.get(id))) throw new GatewayError('not_found', `No tenant "${id}"`);
    return this.erasure.erase(id);
  }
}
