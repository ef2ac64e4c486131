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
