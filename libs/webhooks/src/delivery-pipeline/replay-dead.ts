import type { DeliveryLog } from './delivery-log';
import type { WebhookDeliveryQueue } from './delivery-queue';

/**
 * Sends dead deliveries again, each as a new run with a full schedule and the same
 * `webhook-id`. Returns the ids replayed; an id another replay took first is skipped.
 */
export async function replayDeadDeliveries(
  log: DeliveryLog,
  queue: WebhookDeliveryQueue,
  ids: readonly string[],
  attempts: number,
): Promise<string[]> {
  const replayed: string[] = [];
  for (const id of ids) {
    const dead = await log.takeDead(id);
    if (!dead) continue;
    await queue.enqueue([{ ...dead.data, run: dead.data.run + 1 }], attempts);
    replayed.push(id);
  }
  return replayed;
}
