import { shannonEntropy } from '../checksums';
import type { PiiFinding } from '../pii-types';
import { collect } from './scan';

/** A credential format: vendors prefix their keys so leaked ones can be found like this. */
export interface SecretPattern {
  readonly name: string;
  readonly type: 'api_key' | 'private_key';
  readonly pattern: RegExp;
  /** Extra check on the match; defaults to accepting it. */
  readonly accept?: (value: string) => boolean;
}

// Real keys are random; `sk-this-is-just-a-slug` is prose. Random base62 of this length
// sits well above 3 bits per character and mixes letters with digits.
const looksRandom = (value: string): boolean =>
  /\d/.test(value) && /[A-Za-z]/.test(value) && shannonEntropy(value) >= 3;

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    name: 'pem-private-key',
    type: 'private_key',
    // Bounded body so a BEGIN line without an END cannot make the scan quadratic; a block
    // cut short (a truncated paste, a log line) is still covered up to its last base64.
    pattern:
      /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]{0,16384}?-----END ([A-Z0-9]+ )*PRIVATE KEY-----|[A-Za-z0-9+/=\s\\:,-]*)/g,
  },
  {
    name: 'openai-anthropic',
    type: 'api_key',
    pattern: /(?<![\w-])sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    accept: looksRandom,
  },
  {
    name: 'aws-access-key-id',
    type: 'api_key',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g,
  },
  {
    name: 'github',
    type: 'api_key',
    pattern: /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?!\w)/g,
  },
  {
    name: 'slack',
    type: 'api_key',
    pattern: /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}/g,
    accept: looksRandom,
  },
  { name: 'google', type: 'api_key', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { name: 'stripe', type: 'api_key', pattern: /(?<!\w)(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { name: 'huggingface', type: 'api_key', pattern: /(?<!\w)hf_[A-Za-z0-9]{30,}(?!\w)/g },
  { name: 'gateway', type: 'api_key', pattern: /(?<!\w)gw_[A-Za-z0-9]{20,}(?!\w)/g },
  {
    name: 'jwt',
    type: 'api_key',
    pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g,
  },
];

// `OPENAI_API_KEY=...`, `"client_secret": "..."`, `x-api-key: ...`, `token = '...'`. The
// name starts only at a token boundary and its prefix is bounded, so `a.a.a...` or
// `a-a-a...` cannot make the scan quadratic.
const ASSIGNMENT =
  /(?<![\w.-])(?:[A-Za-z0-9]{1,32}[_.-]){0,8}(?:api[_-]?key|apikey|secret|secret[_-]?key|access[_-]?key(?:[_-]?id)?|client[_-]?secret|private[_-]?key|token|auth[_-]?token|access[_-]?token)["']?\s*[:=]\s*["']?([A-Za-z0-9_\-./+=~]{16,512})/dgi;

/** API keys, tokens and private keys: known vendor formats and high-entropy assignments. */
export function detectSecrets(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const { type, pattern, accept } of SECRET_PATTERNS) {
    out.push(...collect(text, pattern, type, (m) => accept?.(m[0]) ?? true));
  }
  out.push(
    ...collect(text, ASSIGNMENT, 'api_key', (m) => {
      const [start, end] = m.indices?.[1] ?? [0, 0];
      // A trailing full stop ends the sentence, not the key.
      const value = text.slice(start, end).replace(/[.]+$/, '');
      if (value.length < 16 || !looksRandom(value)) return false;
      return { start, end: start + value.length };
    }),
  );
  return out;
}
