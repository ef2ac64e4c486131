import { detectSecrets } from '../pii/detectors/secrets.detector';

const REPLACEMENTS: readonly [RegExp, string][] = [
  // Whole Authorization values in logged headers, whatever the scheme.
  [/(\bauthorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi, '$1[REDACTED]'],
  // Scheme + credential anywhere else (`Bearer gw_...`, `Basic dXNlcjpw...`).
  [/\b(Bearer|Basic)( +)[A-Za-z0-9\-._~+/]{6,}=*/g, '$1$2[REDACTED]'],
  // Gateway keys, even when cut short in a message.
  [/(?<!\w)gw_[A-Za-z0-9]{6,}/g, '[REDACTED_API_KEY]'],
  // Passwords in URLs: `redis://user:secret@host` (scheme bounded to keep the scan linear).
  [
    /((?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{0,256}:)[^\s@/]{1,256}@/gi,
    '$1[REDACTED]@',
  ],
  // Password assignments, whatever their entropy.
  [/(\b(?:password|passwd|pwd)["']?\s*[:=]\s*["']?)[^\s"',;}&]+/gi, '$1[REDACTED]'],
];

/**
 * Hides credentials in a string bound for logs, errors or events: gateway keys, bearer and
 * basic credentials, vendor API keys, private keys, URL passwords and secret assignments.
 * It errs towards hiding too much: a log line loses little, a leaked key costs a lot.
 */
export function redactSecrets(text: string): string {
  let out = '';
  let cursor = 0;
  const findings = detectSecrets(text).sort((a, b) => a.start - b.start || b.end - a.end);
  for (const f of findings) {
    if (f.start < cursor) {
      // Overlaps the previous secret: hide its tail too rather than print it.
      cursor = Math.max(cursor, f.end);
      continue;
    }
    out += `${text.slice(cursor, f.start)}[REDACTED_${f.type.toUpperCase()}]`;
    cursor = f.end;
  }
  out += text.slice(cursor);
  for (const [pattern, replacement] of REPLACEMENTS) out = out.replace(pattern, replacement);
  return out;
}
