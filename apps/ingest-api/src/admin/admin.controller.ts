import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { TenantConfig } from '@gateway/config';
import {
  isScope,
  type KeyStore,
  type Scope,
  type StoredKey,
  type TenantStore,
} from '@gateway/governance';
import { GatewayError } from '@gateway/platform';
import { z } from 'zod';
import { KEY_STORE, TENANT_STORE } from '../tokens';
import { AdminGuard } from './admin.guard';

const CreateKey = z.strictObject({
  scopes: z
    .array(z.string())
    .min(1)
    .max(32)
    .refine((s) => s.every(isScope), {
      message: 'unknown scope; use jobs:write, jobs:read, batches, admin or models:<pattern>',
    }),
  expiresAt: z.iso.datetime().optional(),
});

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new GatewayError(
      'validation_failed',
      'Invalid request body; see details',
      r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return r.data;
}

/** Tenants and API keys. */
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    @Inject(TENANT_STORE) private readonly tenants: TenantStore,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
  ) {}

  @Post('tenants')
  @HttpCode(201)
  async createTenant(@Body() body: unknown): Promise<TenantConfig> {
    const tenant = parse(TenantConfig, body);
    if (!(await this.tenants.create(tenant)))
      throw new GatewayError('conflict', `Tenant "${tenant.id}" exists already`);
    return tenant;
  }

  @Get('tenants')
  async listTenants(): Promise<{ data: TenantConfig[] }> {
    return { data: await this.tenants.list() };
  }

  @Get('tenants/:id')
  async getTenant(@Param('id') id: string): Promise<TenantConfig> {
    const t = await this.tenants.get(id);
    if (!t) throw new GatewayError('not_found', `No tenant "${id}"`);
    return t;
  }

  @Post('tenants/:id/keys')
  @HttpCode(201)
  async createKey(
    @Param('id') tenantId: string,
    @Body() body: unknown,
  ): Promise<{ id: string; key: string; scopes: Scope[]; expiresAt: string | null }> {
    const req = parse(CreateKey, body);
    if (!(await this.tenants.get(tenantId)))
      throw new GatewayError('not_found', `No tenant "${tenantId}"`);
    if (req.expiresAt && Date.parse(req.expiresAt) <= Date.now()) {
      throw new GatewayError('validation_failed', 'expiresAt must be in the future');
    }
    const k = await this.keys.create(tenantId, req.scopes, req.expiresAt ?? null);
    return { id: k.id, key: k.key, scopes: k.record.scopes, expiresAt: k.record.expiresAt };
  }

  @Get('tenants/:id/keys')
  async listKeys(@Param('id') tenantId: string): Promise<{ data: StoredKey[] }> {
    return { data: await this.keys.listForTenant(tenantId) };
  }

  @Delete('keys/:id')
  @HttpCode(200)
  async revokeKey(@Param('id') id: string): Promise<{ id: string; revoked: true }> {
    if (!(await this.keys.revoke(id))) throw new GatewayError('not_found', `No key "${id}"`);
    return { id, revoked: true };
  }
}
