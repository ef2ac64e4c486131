import { Controller, Get, Inject, Param, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { TenantStore } from '@gateway/governance';
import type { GatewayContext } from '@gateway/platform';
import { matchesAny } from '@gateway/routing';
import { ApiKeyGuard, type AuthedRequest } from '../http/auth.guard';
import { GATEWAY_CONTEXT, TENANT_STORE } from '../tokens';
import { OpenAiHttpError } from './openai-error';
import { OpenAiErrorFilter } from './openai-error.filter';

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * `GET /v1/models`: the deployment ids and aliases (and route models) this key may name,
 * after the tenant's `models` globs and the key's `models:<pattern>` scopes.
 */
@Controller('v1/models')
@UseGuards(ApiKeyGuard)
@UseFilters(OpenAiErrorFilter)
export class ModelsController {
  private readonly bootedAt = Math.floor(Date.now() / 1000);

  constructor(
    @Inject(GATEWAY_CONTEXT) private readonly ctx: GatewayContext,
    @Inject(TENANT_STORE) private readonly tenants: TenantStore,
  ) {}

  @Get()
  async list(@Req() req: AuthedRequest): Promise<{ object: 'list'; data: ModelEntry[] }> {
    const p = req.principal!;
    const tenant = await this.tenants.get(p.tenantId);
    const keyPatterns = [...p.scopes].filter((s) => s.startsWith('models:')).map((s) => s.slice(7));
    const cfg = this.ctx.config();
    const off = new Set(cfg.disabled.map((d) => d.deployment));
    const allowed = new Set<string>();
    const out: ModelEntry[] = [];
    const add = (id: string, owner: string) => {
      if (out.some((m) => m.id === id)) return;
      out.push({ id, object: 'model', created: this.bootedAt, owned_by: owner });
    };
    for (const d of cfg.deployments) {
      if (off.has(d.id)) continue;
      const names = [d.id, ...d.aliases, d.model];
      if (tenant?.models && !matchesAny(names, tenant.models)) continue;
      if (keyPatterns.length && !matchesAny(names, keyPatterns)) continue;
      allowed.add(d.id);
      add(d.id, d.provider);
      for (const a of d.aliases) add(a, d.provider);
    }
    for (const r of cfg.routes) {
      if (r.match.model && r.targets.some((t) => allowed.has(t))) add(r.match.model, 'gateway');
    }
    return { object: 'list', data: out };
  }

  @Get(':id')
  async get(@Req() req: AuthedRequest, @Param('id') id: string): Promise<ModelEntry> {
    const found = (await this.list(req)).data.find((m) => m.id === id);
    if (!found) {
      throw new OpenAiHttpError(
        404,
        'invalid_request_error',
        'model_not_found',
        `No model ${id} for this key`,
        'model',
      );
    }
    return found;
  }
}
