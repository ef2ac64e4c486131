import assert from 'node:assert/strict';
import { DeploymentConfig } from '@gateway/config';
import type { TaskName } from '@gateway/contracts';
import type { CallContext } from '../../libs/providers/src/provider-adapter';
import { ProviderError } from '../../libs/providers/src/provider-error';

/** A call context for a deployment of `model` on provider `provider`. */
export function context(
  provider: string,
  model: string,
  tasks: TaskName[] = ['chat'],
): CallContext {
  const deployment = DeploymentConfig.parse({ id: 'dep', provider, model, class: 'llm', tasks });
  return { deployment, signal: new AbortController().signal };
}

export const chat = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

export async function drain(events: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** A rejection check for `assert.rejects`: a ProviderError with this code. */
export function rejectsWith(code: string, retryable?: boolean) {
  return (e: unknown) => {
    assert.ok(e instanceof ProviderError, String(e));
    assert.equal(e.code, code, e.message);
    if (retryable !== undefined) assert.equal(e.retryable, retryable);
    return true;
  };
}
