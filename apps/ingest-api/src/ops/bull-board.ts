import { createBullBoard } from '@bull-board/api';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { GatewayContext, QueueAdmin } from '@gateway/platform';
import type { FastifyInstance } from 'fastify';
import type { AdminCheck } from './admin-session';
import { redirectToLogin } from './ops-routes';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * bull-board at /admin/queues over every deployment queue, behind the admin credential:
 * browsers without it go to the login form, API calls get 401. The queue list follows
 * config reloads.
 */
export async function registerBullBoard(
  app: FastifyInstance,
  ctx: GatewayContext,
  queues: QueueAdmin,
  isAdmin: AdminCheck,
): Promise<void> {
  const server = new FastifyAdapter();
  server.setBasePath(BULL_BOARD_PATH);
  const adapters = () =>
    queues.deploymentIds().map((id) => new BullMQAdapter(ctx.queues.queue(id)));
  const board = createBullBoard({
    queues: adapters(),
    // @bull-board/fastify ships its own copy of @bull-board/api (a patch version apart): the
    // adapter contract is the same, only the copies' private fields differ in type.
    serverAdapter: server as unknown as IServerAdapter,
    options: { uiConfig: { boardTitle: 'AI Gateway queues' } },
  });
  ctx.onReload(() => board.replaceQueues(adapters()));
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      // Reading needs a viewer; bull-board's actions (pause, retry, clean) an operator.
      const need = req.method === 'GET' || req.method === 'HEAD' ? 'viewer' : 'operator';
      if (await isAdmin(req, need)) return;
      if (req.url.startsWith(`${BULL_BOARD_PATH}/api`)) {
        return reply.status(401).send({
          error: {
            code: 'unauthenticated',
            message: 'The queue dashboard needs the admin credential',
            requestId: String(req.id),
          },
        });
      }
      return redirectToLogin(req, reply);
    });
    await scope.register(server.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}
