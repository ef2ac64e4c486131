import type { PiiFinding } from '../pii-types';
import { collect } from './scan';

// AAA-GG-SSSS with one separator style (dash or space) throughout, not part of a longer
// dashed code such as `555-01-2345-X`.
const SSN = /(?<![\w\-./])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w]|[\-./]\w)/g;

/**
 * US Social Security numbers. The SSA never issues area 000, 666 or 900-999, group 00 or
 * serial 0000, so those are rejected; what remains has the one shape nothing else uses.
 */
export function detectSsns(text: string): PiiFinding[] {
  return collect(text, SSN, 'ssn', (m) => {
    const area = Number(m[1]);
    return area !== 0 && area !== 666 && area < 900 && m[3] !== '00' && m[4] !== '0000';
  });
}
