import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * The three headers the Standard Webhooks spec puts on every delivery. A type alias, not an
 * interface, so it can be passed straight to deliverWebhook's `headers` record.
 */
export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export interface SignDeliveryInput {
  /** The message id; stays the same across retries so receivers can de-duplicate. */
  readonly id: string;
  /** When this attempt is sent: a Date, or Unix time in whole seconds. */
  readonly timestamp: Date | number;
  /** The exact body bytes that will be sent (JSON text). */
  readonly body: string;
  /**
   * Every secret currently valid for the endpoint, e.g. the new one and the old one during
   * its rotation grace period. Each adds one `v1,<sig>` entry.
   */
  readonly secrets: readonly string[];
}

const SECRET_PREFIX = 'whsec_';
// The spec asks for keys of 24 to 64 bytes; we generate 32.
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const GENERATED_KEY_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Visible ASCII only: the id goes into a header and into the signed content.
const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;
// Unix seconds above this are surely milliseconds (it is the year 5138).
const MAX_UNIX_SECONDS = 1e11;

/** A new endpoint secret, `whsec_` + base64 of 32 random bytes. Show it to the owner once. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_KEY_BYTES).toString('base64');
}

/** True when `secret` is `whsec_<base64>` of a 24- to 64-byte key. */
export function isWebhookSecret(secret: string): boolean {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) return false;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= MIN_KEY_BYTES && bytes <= MAX_KEY_BYTES;
}

function unixSeconds(timestamp: Date | number): number {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_UNIX_SECONDS) {
    throw new RangeError(
      'signDelivery: timestamp must be a valid Date or Unix time in whole seconds (not milliseconds)',
    );
  }
  return seconds;
}

/**
 * Signs one delivery attempt and returns the headers to send with it.
 *
 * A receiver holding any one of `secrets` verifies it, which is what makes rotation
 * seamless. Errors never echo a secret: they say which position in the list is wrong.
 */
export function signDelivery(input: SignDeliveryInput): WebhookSignatureHeaders {
  if (!MESSAGE_ID.test(input.id)) {
    throw new TypeError('signDelivery: id must be 1 to 256 visible ASCII characters');
  }
  if (typeof input.body !== 'string') {
    throw new TypeError('signDelivery: body must be the JSON text that will be sent');
  }
  if (input.secrets.length === 0) {
    throw new TypeError('signDelivery: at least one secret is needed');
  }
  const seconds = unixSeconds(input.timestamp);
  const at = new Date(seconds * 1000);
  const signatures = new Set<string>();
  input.secrets.forEach((secret, index) => {
    if (!isWebhookSecret(secret)) {
      throw new TypeError(
        `signDelivery: secrets[${index}] is not a whsec_<base64> secret of 24-64 bytes; ` +
          'create one with generateWebhookSecret()',
      );
    }
    signatures.add(new Webhook(secret).sign(input.id, at, input.body));
  });
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': [...signatures].join(' '),
  };
}
