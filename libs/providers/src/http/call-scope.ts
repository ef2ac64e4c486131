import { ProviderError } from '../provider-error';

/**
 * One call's abort signal: the job's signal plus the call's deadline. Knows which of the
 * two fired, so a failure can be named `cancelled` or `timeout` rather than `network`.
 */
export class CallScope {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private timedOut = false;
  private readonly onParentAbort = () => this.controller.abort(this.parent.reason);

  constructor(
    private readonly parent: AbortSignal,
    readonly timeoutMs: number,
    private readonly label: string,
  ) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('deadline'));
    }, timeoutMs);
    this.timer.unref();
    if (parent.aborted) this.onParentAbort();
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /** Turns anything thrown while the call was in flight into a ProviderError. */
  translate(e: unknown): ProviderError {
    if (e instanceof ProviderError) return e;
    if (this.parent.aborted) {
      return new ProviderError('cancelled', `${this.label}: call cancelled`, {
        retryable: false,
        cause: e,
      });
    }
    if (this.timedOut) {
      return new ProviderError('timeout', `${this.label}: no answer within ${this.timeoutMs} ms`, {
        cause: e,
      });
    }
    const err = e as { code?: string; cause?: { code?: string }; message?: string };
    const code = err?.code ?? err?.cause?.code ?? 'unknown';
    return new ProviderError('network', `${this.label}: network error (${code})`, { cause: e });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent.removeEventListener('abort', this.onParentAbort);
  }
}
