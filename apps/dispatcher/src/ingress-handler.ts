import type { IngressHandler, IngressVerdict } from '@gateway/events';
import type { KeyStore } from '@gateway/governance';
import { GatewayError, type SubmitJobUseCase } from '@gateway/platform';

/** Refusals that clear up by themselves: pause and try the same message again. */
const TRANSIENT = new Set(['rate_limited', 'queue_full', 'unavailable']);
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const reject = (code: string, message: string, details?: unknown[]): IngressVerdict => ({
  kind: 'rejected',
  code,
  message,
  ...(details ? { details } : {}),
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Kafka request ingress, exactly like `POST /v1/jobs`: the `authorization` header's key,
 * the `jobs:write` scope, then the same SubmitJobUseCase. The idempotency key is the
 * `idempotency-key` header, else the CloudEvents `ce_id`, else the message's own partition
 * and offset, so a redelivered message always finds the job it already created.
 */
export function createIngressHandler(keys: KeyStore, submit: SubmitJobUseCase): IngressHandler {
  return async (m) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(m.headers.authorization ?? '');
    if (!bearer)
      return reject(
        'unauthenticated',
        'Send the API key as the header "authorization: Bearer <key>"',
      );
    const principal = await keys.authenticate(bearer[1]);
    if (!principal) return reject('unauthenticated', 'The API key is invalid, revoked or expired');
    if (!principal.scopes.has('jobs:write'))
      return reject('forbidden', 'This key lacks the "jobs:write" scope', [
        { missingScope: 'jobs:write' },
      ]);
    let body: unknown;
    try {
      body = JSON.parse(m.value ?? '');
    } catch {
      return reject('invalid_json', 'The message value is not JSON; send the job request as JSON');
    }
    if (isPlainObject(body) && m.key !== null && !('correlationId' in body)) {
      // The pipeline's correlation id travels as the message key when the body has none.
      body = { ...body, correlationId: m.key };
    }
    const idem =
      m.headers['idempotency-key'] ?? m.headers.ce_id ?? `kafka:${m.partition}:${m.offset}`;
    if (!IDEMPOTENCY_KEY.test(idem))
      return reject(
        'validation_failed',
        'idempotency-key / ce_id must be 1-255 visible ASCII characters',
      );
    try {
      const res = await submit.execute({
        principal,
        body,
        idempotencyKey: idem,
        traceparent: m.headers.traceparent ?? m.headers.ce_traceparent,
      });
      return { kind: 'accepted', jobId: res.record.id, created: res.created };
    } catch (e) {
      if (!(e instanceof GatewayError)) throw e;
      if (TRANSIENT.has(e.code))
        return { kind: 'retry', afterMs: (e.retryAfterSec ?? 1) * 1000, reason: e.code };
      return reject(e.code, e.message, e.details);
    }
  };
}
