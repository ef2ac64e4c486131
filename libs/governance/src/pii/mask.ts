import type { PiiType } from './pii-types';

/**
 * Hides a value but keeps enough shape for a model (or a reader) to know what stood there:
 * `j***@e***.com`, `**** **** **** 4242`, `+** ** **** **58`. A mask never contains the
 * whole original, and keeps at most the parts people already show on receipts.
 */
export function maskValue(type: PiiType, value: string): string {
  switch (type) {
    case 'email':
      return maskEmail(value);
    case 'card':
    case 'ssn':
      return keepLast(value, /\d/, 4);
    case 'phone':
      return keepLast(value, /\d/, 2);
    case 'iban':
      return value.slice(0, 2) + keepLast(value.slice(2), /[A-Za-z0-9]/, 4);
    case 'ipv4':
      return value.replace(
        /^(\d+)\.(.*)$/,
        (_, head: string, rest: string) => `${head}.${rest.replace(/\d+/g, '*')}`,
      );
    case 'ipv6': {
      const firstColon = value.indexOf(':');
      return value.slice(0, firstColon) + value.slice(firstColon).replace(/[0-9A-Fa-f]+/g, '*');
    }
    case 'api_key':
      return `${value.slice(0, Math.min(4, Math.floor(value.length / 4)))}********`;
    case 'private_key':
      return value.replace(
        /(-----BEGIN [A-Z0-9 ]+-----)[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/,
        '$1\n***\n$2',
      );
  }
}

function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  return `${local.charAt(0)}***@${domain.charAt(0)}***.${tld}`;
}

/** Replaces every character matching `kind` with `*`, except the last `keep` of them. */
function keepLast(value: string, kind: RegExp, keep: number): string {
  let seen = 0;
  const total = [...value].filter((ch) => kind.test(ch)).length;
  let out = '';
  for (const ch of value) {
    if (!kind.test(ch)) {
      out += ch;
      continue;
    }
    seen++;
    out += seen > total - keep ? ch : '*';
  }
  return out;
}
