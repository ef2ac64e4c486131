import {
  type OnModuleDestroy,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { GatewayError } from '@gateway/platform';
import {
  publicEndpoint,
  WEBHOOK_EVENT_TYPES,
  type DeliveryAttempt,
  type PublicEndpoint,
} from '@gateway/webhooks';
import { z } from 'zod';
import { ApiKeyGuard, RequireScope, type AuthedRequest } from '../http/auth.guard';
import { WEBHOOK_API, type WebhookApi } from './webhook-api';
import { validated } from '../http/validated';

export const CreateEndpoint = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2048),
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1)
    .default([...WEBHOOK_EVENT_TYPES]),
  description: z.string().max(256).optional(),
});
export const Rotate = z.strictObject({
  /** How long the old secret keeps signing beside the new one (default one day). */
  graceSeconds: z
    .int()
    .min(0)
    .max(7 * 86400)
    .default(86400),
});

/** A tenant's webhook endpoints, its signing secret, and a job's delivery attempts. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class WebhooksController implements OnModuleDestroy {
  constructor(@Inject(WEBHOOK_API) private readonly api: WebhookApi) {}

  async onModuleDestroy(): Promise<void> {
    await this.api.close();
  }

  @Post('webhooks')
  @HttpCode(201)
  @RequireScope('jobs:write')
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const input = validated(CreateEndpoint, body);
    await this.api.vet(input.url);
    const ep = await this.api.endpoints.create(req.principal!.tenantId, input);
    // The only time the secret is shown, besides rotation.
    return { ...publicEndpoint(ep), secret: ep.secret };
  }

  @Get('webhooks')
  @RequireScope('jobs:write')
  async list(@Req() req: AuthedRequest): Promise<{ data: PublicEndpoint[] }> {
    const eps = await this.api.endpoints.list(req.principal!.tenantId);
    return { data: eps.map(publicEndpoint) };
  }

  @Delete('webhooks/:id')
  @HttpCode(200)
  @RequireScope('jobs:write')
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    if (!(await this.api.endpoints.delete(req.principal!.tenantId, id)))
      throw new GatewayError('not_found', `No webhook endpoint ${id}`);
    return { id, deleted: true };
  }

  @Post('webhooks/:id/rotate')
  @HttpCode(200)
  @RequireScope('jobs:write')
  async rotate(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const { graceSeconds } = validated(Rotate, body);
    const ep = await this.api.endpoints.rotate(req.principal!.tenantId, id, graceSeconds);
    if (!ep) throw new GatewayError('not_found', `No webhook endpoint ${id}`);
    return { ...publicEndpoint(ep), secret: ep.secret };
  }

  /** The secret that signs webhooks named by a job's own `webhook.url`. */
  @Get('webhooks/signing-secret')
  @RequireScope('jobs:write')
  async signingSecret(@Req() req: AuthedRequest) {
    const s = await this.api.endpoints.tenantSecret(req.principal!.tenantId);
    return { secret: s.secret, previousExpiresAt: s.previousExpiresAt ?? null };
  }

  @Post('webhooks/signing-secret/rotate')
  @HttpCode(200)
  @RequireScope('jobs:write')
  async rotateSigningSecret(@Req() req: AuthedRequest, @Body() body: unknown) {
    const { graceSeconds } = validated(Rotate, body);
    const s = await this.api.endpoints.rotateTenantSecret(req.principal!.tenantId, graceSeconds);
    return { secret: s.secret, previousExpiresAt: s.previousExpiresAt ?? null };
  }

  /** Every delivery attempt of a job's webhooks: time, status, latency, outcome. */
  @Get('jobs/:id/webhooks')
  @RequireScope('jobs:read')
  async attempts(
    @Req() req: AuthedRequest,
    @Param('id') id: string,
  ): Promise<{ data: DeliveryAttempt[] }> {
    const record = await this.api.ctx.store.get(id);
    if (!record || record.tenantId !== req.principal!.tenantId)
      throw new GatewayError('not_found', `No job ${id}`);
    return { data: await this.api.log.attempts(id) };
  }
}
