import type { FinishReason, TaskInput, TaskName, TaskOutput, Usage } from '@gateway/contracts';
import type { DeploymentConfig, ProviderConfig } from '@gateway/config';
import type { RateLimitInfo } from './rate-limit';

/** What one call needs besides its input. */
export interface CallContext {
  readonly deployment: DeploymentConfig;
  /** Aborted when the job is cancelled or the worker shuts down. */
  readonly signal: AbortSignal;
  /** Overall deadline of this call; defaults to the provider's timeoutMs. */
  readonly timeoutMs?: number;
  /** Job id, for vendor request tagging and logs. */
  readonly jobId?: string;
}

/** The normalised outcome of one successful call. */
export interface CallResult<T extends TaskName = TaskName> {
  readonly output: TaskOutput<T>;
  readonly usage: Usage;
  /** Number of images the call processed, for per-image prices. */
  readonly images?: number;
  readonly rateLimit?: RateLimitInfo;
  /** The vendor's model name as it answered, when it says. */
  readonly model?: string;
}

/** One piece of a streamed chat answer. The last event is always `done`. */
export type ChatStreamEvent =
  | { readonly type: 'delta'; readonly text: string }
  | {
      readonly type: 'done';
      readonly finishReason: FinishReason;
      readonly usage: Usage;
      readonly rateLimit?: RateLimitInfo;
    };

/**
 * One vendor behind one interface. Adapters throw only `ProviderError`, and parse vendor
 * responses with partial zod schemas.
 */
export interface ProviderAdapter {
  readonly type: string;
  /** Calls the model for a task and returns the normalised output, usage and signals. */
  call<T extends TaskName>(task: T, input: TaskInput<T>, ctx: CallContext): Promise<CallResult<T>>;
  /** Streams a chat answer, when the vendor can; absent otherwise. */
  streamChat?(input: TaskInput<'chat'>, ctx: CallContext): AsyncIterable<ChatStreamEvent>;
  /** Takes new credentials or settings from a config reload without a restart. */
  reconfigure?(provider: ProviderConfig): void;
  /** Closes connection pools. */
  close(): Promise<void>;
}

/** How the registry builds an adapter, and what it can do before one is built. */
export interface AdapterFactory {
  readonly type: string;
  readonly tasks: ReadonlySet<TaskName>;
  /** False when the provider config lacks the credentials this vendor needs. */
  hasCredentials(provider: ProviderConfig): boolean;
  /** Settings the adapter cannot work without, each `<key>: <what to set>`; boot refuses them. */
  configProblems?(provider: ProviderConfig): string[];
  create(provider: ProviderConfig): ProviderAdapter;
}
