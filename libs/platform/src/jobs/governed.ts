import {
  createCipher,
  GovKeys,
  JobGovernance,
  PolicyRefusal,
  PseudonymVault,
} from '@gateway/governance';
import type { GatewayContext } from '../gateway-context';
import { GatewayError } from '../gateway-error';

/** Runs a governance step, turning its refusal into the API error it names. */
export async function governed<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (e) {
    if (!PolicyRefusal.is(e)) throw e;
    const err = new GatewayError(e.code, e.message, e.details, e.retryAfterSec);
    err.rateLimit = e.rateLimit;
    throw err;
  }
}

/** The governance steps of admission, with the payload cipher when a key is configured. */
export function jobGovernanceFor(ctx: GatewayContext): JobGovernance {
  const key = ctx.env.encryptionKey;
  return new JobGovernance(ctx.redis, ctx.keys, key ? createCipher(key) : undefined);
}

/** Where pseudonymised jobs' mappings are kept (decrypted with the payload key when set). */
export function pseudonymVaultFor(ctx: GatewayContext): PseudonymVault {
  const key = ctx.env.encryptionKey;
  return new PseudonymVault(ctx.redis, new GovKeys(ctx.keys), key ? createCipher(key) : undefined);
}
