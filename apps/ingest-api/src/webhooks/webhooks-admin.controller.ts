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
import { GatewayError } from '@gateway/platform';
import { publicEndpoint, replayDeadDeliveries, type DeadDelivery } from '@gateway/webhooks';
import { z } from 'zod';
import { AdminGuard } from '../admin/admin.guard';
import { WEBHOOK_API, type WebhookApi } from './webhook-api';
import { validated } from '../http/validated';
import { CreateEndpoint } from './webhooks.controller';

const ListDead = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const BulkReplay = z.strictObject({
  /** Replays these ids; without them, up to `limit` of the newest dead deliveries. */
  ids: z.array(z.string().min(1).max(300)).min(1).max(1000).optional(),
  limit: z.int().min(1).max(1000).default(1000),
});

/** Operators: dead deliveries and their replay; any tenant's endpoints. */
@Controller('admin')
@UseGuards(AdminGuard)
export class WebhooksAdminController {
  constructor(@Inject(WEBHOOK_API) private readonly api: WebhookApi) {}

  @Get('webhooks/dead')
  async dead(@Query() query: unknown): Promise<{ data: DeadDelivery[]; total: number }> {
    const { limit } = validated(ListDead, query);
    const [data, total] = await Promise.all([
      this.api.log.listDead(limit),
      this.api.log.countDead(),
    ]);
    return { data, total };
  }

  @Post('webhooks/dead/replay')
  @HttpCode(202)
  async replayAll(@Body() body: unknown): Promise<{ replayed: string[] }> {
    const req = validated(BulkReplay, body);
    const ids = req.ids ?? (await this.api.log.listDead(req.limit)).map((d) => d.data.deliveryId);
    return {
      replayed: await replayDeadDeliveries(this.api.log, this.api.queue, ids, this.api.attempts()),
    };
  }

  @Post('webhooks/dead/:id/replay')
  @HttpCode(202)
  async replayOne(@Param('id') id: string): Promise<{ replayed: string[] }> {
    const replayed = await replayDeadDeliveries(
      this.api.log,
      this.api.queue,
      [id],
      this.api.attempts(),
    );
    if (replayed.length === 0) throw new GatewayError('not_found', `No dead delivery ${id}`);
    return { replayed };
  }

  @Get('tenants/:id/webhooks')
  async list(@Param('id') tenantId: string) {
    return { data: (await this.api.endpoints.list(tenantId)).map(publicEndpoint) };
  }

  @Post('tenants/:id/webhooks')
  @HttpCode(201)
  async create(@Param('id') tenantId: string, @Body() body: unknown) {
    const input = validated(CreateEndpoint, body);
    await this.api.vet(input.url);
    const ep = await this.api.endpoints.create(tenantId, input);
    return { ...publicEndpoint(ep), secret: ep.secret };
  }

  @Delete('tenants/:id/webhooks/:endpointId')
  @HttpCode(200)
  async remove(@Param('id') tenantId: string, @Param('endpointId') id: string) {
    if (!(await this.api.endpoints.delete(tenantId, id)))
      throw new GatewayError('not_found', `No webhook endpoint ${id} for tenant "${tenantId}"`);
    return { id, deleted: true };
  }
}
