import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
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
import { validated } from '../http/validated';

const KeyLimitsBody = z.strictObject({
  rpm: z.number().int().min(1).optional(),
  tpm: z.number().int().min(1).optional(),
});
/** USD per UTC day and month; the key's jobs count against these and the tenant's. */
const KeyBudgetsBody = z.strictObject({
  dailyUsd: z.number().min(0).optional(),
  monthlyUsd: z.number().min(0).optional(),
});

const CreateKey = z.strictObject({
  scopes: z
    .array(z.string())
    .min(1)
    .max(32)
    .refine((s) => s.every(isScope), {
      message:
        'unknown scope; use jobs:write, jobs:read, batches, admin, models:<pattern> or routing:<strategy|*>',
    }),
  expiresAt: z.iso.datetime().optional(),
  limits: KeyLimitsBody.optional(),
  budgets: KeyBudgetsBody.optional(),
});

/** A field sent replaces the key's; null removes it. */
const UpdateKey = z
  .strictObject({
    limits: KeyLimitsBody.nullable().optional(),
    budgets: KeyBudgetsBody.nullable().optional(),
  })
  .refine((b) => b.limits !== undefined || b.budgets !== undefined, {
    message: 'send limits or budgets (null removes them)',
  });

const RotateKey = z.strictObject({
  /** How long the old key keeps working (default one hour, at most 30 days; 0 = at once). */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86400)
    .default(3600),
});

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
    const tenant = validated(TenantConfig, body);
    if (!(await this.tenants.create(tenant)))
      throw new GatewayError('conflict', `Tenant "${tenant.id}" exists already`);
    return tenant;
  }

  @Get('tenants')
  async listTenants(): Promise<{ data: TenantConfig[] }> {
    return { data: await this.tenants.list() };
  }

  /** Changes a stored tenant's policy (those in gateway.yaml are changed in the file). */
  @Patch('tenants/:id')
  async updateTenant(@Param('id') id: string, @Body() body: unknown): Promise<TenantConfig> {
    const current = await this.tenants.get(id);
    if (!current) throw new GatewayError('not_found', `No tenant "${id}"`);
    const patch = validated(TenantConfig.omit({ id: true }).partial(), body);
    // Only the fields sent change (schema defaults must not reset the others).
    const given = Object.entries(patch).filter(([k]) => Object.hasOwn(body as object, k));
    const next = validated(TenantConfig, { ...current, ...Object.fromEntries(given), id });
    const res = await this.tenants.update(next);
    if (res === 'declared')
      throw new GatewayError(
        'conflict',
        `Tenant "${id}" is declared in gateway.yaml; change it there and reload`,
      );
    if (res === 'missing') throw new GatewayError('not_found', `No tenant "${id}"`);
    return next;
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
  ): Promise<{
    id: string;
    key: string;
    scopes: Scope[];
    expiresAt: string | null;
    limits?: StoredKey['limits'];
    budgets?: StoredKey['budgets'];
  }> {
    const req = validated(CreateKey, body);
    if (!(await this.tenants.get(tenantId)))
      throw new GatewayError('not_found', `No tenant "${tenantId}"`);
    if (req.expiresAt && Date.parse(req.expiresAt) <= Date.now()) {
      throw new GatewayError('validation_failed', 'expiresAt must be in the future');
    }
    const k = await this.keys.create(
      tenantId,
      req.scopes,
      req.expiresAt ?? null,
      req.limits,
      req.budgets,
    );
    return {
      id: k.id,
      key: k.key,
      scopes: k.record.scopes,
      expiresAt: k.record.expiresAt,
      limits: k.record.limits,
      budgets: k.record.budgets,
    };
  }

  /** Changes a key's rate limits or budgets; every replica applies it at once. */
  @Patch('keys/:id')
  async updateKey(@Param('id') id: string, @Body() body: unknown): Promise<StoredKey> {
    const patch = validated(UpdateKey, body);
    const updated = await this.keys.update(id, patch);
    if (!updated) throw new GatewayError('not_found', `No key "${id}"`);
    return updated;
  }

  /** A new key for the same tenant and scopes; the old one works for the grace period. */
  @Post('keys/:id/rotate')
  @HttpCode(201)
  async rotateKey(
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<{ id: string; key: string; replaces: string; oldKeyExpiresAt: string }> {
    const req = validated(RotateKey, body ?? {});
    const r = await this.keys.rotate(id, req.graceSeconds);
    if (!r) throw new GatewayError('not_found', `No key "${id}"`);
    return { id: r.id, key: r.key, replaces: id, oldKeyExpiresAt: r.oldExpiresAt };
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
