import type { ProviderErrorCode } from '@gateway/contracts';
import { ProviderError } from '../provider-error';

/** The taxonomy code an HTTP status means when the body says nothing more precise. */
export function codeForStatus(status: number): ProviderErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return 'invalid_request';
    case 401:
      return 'auth';
    case 402:
      return 'quota_exhausted';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 429:
      return 'rate_limited';
    case 503:
    case 529:
      return 'overloaded';
    default:
      return status >= 500 || status === 409 ? 'server_error' : 'invalid_request';
  }
}

const CONTEXT_LENGTH =
  /context[ _-]length|context[ _-]window|context limit|maximum context|prompt is too long|input is too long|too many (?:input )?tokens|exceeds the maximum number of tokens|maximum number of tokens allowed/i;

/** True when a vendor's 400 message says the prompt did not fit the model's context. */
export function looksLikeContextLength(message: string | undefined): boolean {
  return !!message && CONTEXT_LENGTH.test(message);
}

/** Replaces every credential in a text so vendor messages never leak them into logs. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A response we could not read: the vendor broke its own format. */
export function malformedResponse(
  provider: string,
  detail: string,
  cause?: unknown,
): ProviderError {
  return new ProviderError('server_error', `${provider}: unexpected response (${detail})`, {
    cause,
  });
}
