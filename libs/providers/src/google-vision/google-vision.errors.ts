import type { ProviderError } from '../provider-error';
import type { ErrorResponse } from '../http/vendor-client';
import { mapGeminiError, mapGoogleStatus } from '../gemini/gemini.errors';
import type { GoogleStatus } from '../gemini/gemini.schemas';

/** Cloud Vision speaks Google's common error format, as Gemini does. */
export function mapVisionError(res: ErrorResponse, label: string): ProviderError {
  return mapGeminiError(res, label);
}

/** A per-image error inside a 200 answer: `{"code": 3, "message": "Bad image data."}` (google.rpc codes). */
export function mapVisionItemError(status: GoogleStatus, label: string): ProviderError {
  return mapGoogleStatus(status, undefined, label);
}
