// RFC 6750 b64token: the characters a bearer token may contain, padding only at the end.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header, or null when the header is
 * missing, uses another scheme, or carries anything but one token. Node gives repeated
 * headers as an array; more than one Authorization header is refused rather than guessed.
 */
export function parseBearer(header: string | readonly string[] | null | undefined): string | null {
  if (header === null || header === undefined) return null;
  if (typeof header !== 'string') return header.length === 1 ? parseBearer(header[0]) : null;
  return BEARER.exec(header)?.[1] ?? null;
}
