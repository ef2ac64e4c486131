export {
  generateWebhookSecret,
  isWebhookSecret,
  signDelivery,
  type SignDeliveryInput,
  type WebhookSignatureHeaders,
} from './signing';
export {
  vetWebhookUrl,
  type HostLookup,
  type ResolvedAddress,
  type VetErrorCode,
  type VetOptions,
  type VetResult,
} from './ssrf-guard';
export { blockedAddressReason } from './address-policy';
export {
  deliverWebhook,
  WEBHOOK_USER_AGENT,
  type DeliverWebhookInput,
  type DeliveryErrorCode,
  type DeliveryResult,
} from './delivery';
export { nextAttemptDelayMs } from './schedule';
export {
  BATCH_EVENT_TYPES,
  JOB_EVENT_TYPES,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_QUEUE,
  WebhookKeys,
  type BatchEventType,
  type JobEventType,
  type WebhookEventType,
} from './delivery-pipeline/webhook-keys';
export {
  WebhookEndpointStore,
  activeSecrets,
  publicEndpoint,
  type PublicEndpoint,
  type SecretSet,
  type WebhookEndpoint,
} from './delivery-pipeline/endpoint-store';
export {
  DeliveryLog,
  type DeadDelivery,
  type DeliveryAttempt,
} from './delivery-pipeline/delivery-log';
export {
  WebhookDeliveryQueue,
  webhookBacklog,
  webhookBacklogByState,
  type WebhookBacklogByState,
  type BatchDelivery,
  type DeliveryJobData,
  type JobDelivery,
} from './delivery-pipeline/delivery-queue';
export { DeliveryScheduler, scheduleBatchEvent } from './delivery-pipeline/schedule-deliveries';
export {
  DeliveryProcessor,
  RetryDelivery,
  type DeliverySettings,
} from './delivery-pipeline/delivery-processor';
export { startDeliveryWorker } from './delivery-pipeline/delivery-worker';
export { replayDeadDeliveries } from './delivery-pipeline/replay-dead';
