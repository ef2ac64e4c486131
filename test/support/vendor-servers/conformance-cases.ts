/**
 * The table the provider conformance suite runs: one entry per vendor adapter with its test
 * server, provider config, and the vendor facts the suite asserts (auth header, error
 * statuses and their taxonomy codes).
 */
import { DeploymentConfig, ProviderConfig } from '@gateway/config';
import type { ProviderErrorCode, TaskName } from '@gateway/contracts';
import type { AdapterFactory } from '../../../libs/providers/src/provider-adapter';
import type { RateLimitInfo } from '../../../libs/providers/src/rate-limit';
import type { RecordedRequest, ScriptedResponse, VendorServer } from './vendor-server';

export type StartedServer = VendorServer & { readonly baseUrl: string };

export interface ErrorCase {
  readonly status: number;
  readonly variant?: string;
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

export interface MidStreamError {
  response(): ScriptedResponse;
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

export interface VendorCase {
  readonly name: string;
  readonly factory: AdapterFactory;
  start(): Promise<StartedServer>;
  /** Provider config pointed at the server, with the given keys (or the vendor's credentials). */
  provider(server: StartedServer, keys?: string[]): ProviderConfig;
  /** The model of the deployment the suite uses. */
  readonly model: string;
  /** The API key in a request, for key-rotation checks. */
  keyOf(req: RecordedRequest): string | undefined;
  /**
   * The call the suite makes for errors, cancellation and keys: chat unless the adapter
   * serves no chat (Cloud Vision).
   */
  readonly probe?: { readonly task: TaskName; readonly input: unknown };
  /** Asserts the vendor-specific shape of the probe request the server received. */
  assertChatRequest(req: RecordedRequest, provider: ProviderConfig): void;
  readonly errors: readonly ErrorCase[];
  readonly streaming: boolean;
  /**
   * A stream that breaks off with the vendor's error after its first delta, and the taxonomy
   * error it must surface as. Every streaming vendor has one.
   */
  readonly midStreamError?: MidStreamError;
  /** The rate-limit signals a successful answer of the test server carries, read back. */
  readonly rateLimitOnSuccess?: RateLimitInfo;
  /** Asserts how the image of an image task was sent. */
  assertImageRequest?(req: RecordedRequest): void;
  /** Tasks whose expected outputs differ from the fake chat model's (e.g. Vision's labels). */
  readonly expected?: Partial<Record<TaskName, unknown>>;
}

export function providerConfig(raw: Record<string, unknown>): ProviderConfig {
  return ProviderConfig.parse(raw);
}

export function deploymentFor(c: VendorCase, providerId: string): DeploymentConfig {
  return DeploymentConfig.parse({
    id: `${c.name}-dep`,
    provider: providerId,
    model: c.model,
    class: 'llm',
    tasks: [...c.factory.tasks],
    maxOutputTokens: 256,
  });
}

/** A 1x1 PNG, the image every image task sends. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
