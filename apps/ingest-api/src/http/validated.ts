import { GatewayError } from '@gateway/platform';
import type { z } from 'zod';

/** Parses with a zod schema, or refuses with 400 `validation_failed` listing each problem. */
export function validated<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what = 'request body',
): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new GatewayError(
      'validation_failed',
      `Invalid ${what}; see details`,
      r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return r.data;
}
