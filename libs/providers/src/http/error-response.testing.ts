import type { ErrorResponse } from './vendor-client';

/** An ErrorResponse for a fixture body, as the client would hand it to a vendor's mapping. */
export function errorResponse(
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
): ErrorResponse {
  return {
    status,
    headers,
    text: JSON.stringify(json),
    json,
    rateLimit: undefined,
    now: Date.now(),
  };
}
