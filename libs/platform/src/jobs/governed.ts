import {
  createCipher,
  GovKeys,
  JobGovernance,
  PolicyRefusal,
  PseudonymVault,
  restorePseudonymsIn,
} from '@gateway/governance';
import type { GatewayContext } from '../gateway-context';
import { GatewayError } from '../gateway-error';

/** Runs a governance step, turning its refusal into the API error it names. */
export async function governed<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (e) {
    if (PolicyRefusal.is(e)) throw new GatewayError(e.code, e.message, e.details, e.retryAfterSec);
    throw e;
  }
}

/** The governance steps of admission, with the payload cipher when a key is configured. */
export function jobGovernanceFor(ctx: GatewayContext): JobGovernance {
  const key = ctx.env.encryptionKey;
  return new JobGovernance(ctx.redis, ctx.keys, key ? createCipher(key) : undefined);
}

/**
 * Puts pseudonymised values back into a job's output before the worker stores it, so the
 * record, the result event and the webhook all carry what the client sent.
 */
export function restorePseudonymsFor(
  ctx: GatewayContext,
): (jobId: string, output: unknown) => Promise<unknown> {
  const key = ctx.env.encryptionKey;
  const vault = new PseudonymVault(
    ctx.redis,
    new GovKeys(ctx.keys),
    key ? createCipher(key) : undefined,
  );
  return async (jobId, output) => {
    const mapping = await vault.load(jobId);
    return mapping ? restorePseudonymsIn(output, mapping) : output;
  };
}
