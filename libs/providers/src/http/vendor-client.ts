import { Agent, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { ProviderConfig } from '@gateway/config';
import type { CallContext } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import type { RateLimitInfo } from '../rate-limit';
import { CallScope } from './call-scope';
import { malformedResponse, parseJsonSafe, redact } from './errors';
import { KeyRing } from './key-ring';
import type { HeaderBag } from './rate-limit-headers';

/** A request as an adapter describes it; the client adds credentials and sends it. */
export interface VendorRequest {
  readonly method?: 'GET' | 'POST';
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The request about to be sent, for `authorize` to add headers to (or sign). */
export interface OutgoingRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** A non-2xx answer, for the vendor's error mapping. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: HeaderBag;
  readonly text: string;
  /** The body parsed as JSON, when it was JSON. */
  readonly json: unknown;
  readonly rateLimit: RateLimitInfo | undefined;
  readonly now: number;
}

/** What differs between vendors at the HTTP level. */
export interface VendorDialect {
  /** Adds credentials; `key` is this attempt's API key, when the provider has keys. */
  authorize(
    req: OutgoingRequest,
    key: string | undefined,
    provider: ProviderConfig,
  ): void | Promise<void>;
  /** The vendor's one error mapping to the gateway taxonomy. */
  mapError(res: ErrorResponse): ProviderError;
  readRateLimit(headers: HeaderBag, now: number): RateLimitInfo | undefined;
  /** Secrets besides API keys that must never reach a message (e.g. AWS secret keys). */
  secretsOf?(provider: ProviderConfig): (string | undefined)[];
}

/** An open streaming response; iterate `body` to the end (or break) to release the socket. */
export interface OpenStream {
  readonly headers: HeaderBag;
  readonly rateLimit: RateLimitInfo | undefined;
  readonly body: AsyncGenerator<Uint8Array>;
}

function keysOf(p: ProviderConfig): (string | undefined)[] {
  return [p.apiKey, ...(p.apiKeys ?? [])];
}

/**
 * The one HTTP path of every vendor adapter: a keep-alive undici pool per provider, the
 * call's deadline and cancel signal, API keys in turn (a key the vendor rejects is set aside
 * and the next tried), error mapping, and credentials kept out of every message.
 */
export class VendorClient {
  private provider!: ProviderConfig;
  private keys!: KeyRing;
  private secrets: string[] = [];
  private agent: Agent | undefined;

  constructor(
    provider: ProviderConfig,
    private readonly dialect: VendorDialect,
  ) {
    this.reconfigure(provider);
  }

  get config(): ProviderConfig {
    return this.provider;
  }

  /** Takes new credentials and settings at once; calls in flight finish on the old pool. */
  reconfigure(provider: ProviderConfig): void {
    const old = this.provider;
    this.provider = provider;
    this.keys = new KeyRing(keysOf(provider));
    this.secrets = [...keysOf(provider), ...(this.dialect.secretsOf?.(provider) ?? [])].filter(
      (s): s is string => !!s,
    );
    if (this.agent && old && old.maxConnections !== provider.maxConnections) {
      const previous = this.agent;
      this.agent = undefined;
      void previous.close().catch(() => undefined);
    }
  }

  private pool(): Agent {
    this.agent ??= new Agent({
      connections: this.provider.maxConnections,
      keepAliveTimeout: 30_000,
      // The call's own deadline (CallScope) bounds every request; undici's would only race it.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    return this.agent;
  }

  /** Sends a request and parses its JSON answer with a partial schema. */
  async json<S extends z.ZodType>(
    req: VendorRequest,
    ctx: CallContext,
    schema: S,
  ): Promise<{ data: z.output<S>; rateLimit: RateLimitInfo | undefined; headers: HeaderBag }> {
    const { res, scope, rateLimit } = await this.send(req, ctx);
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      throw scope.translate(e);
    } finally {
      scope.dispose();
    }
    const parsed = schema.safeParse(parseJsonSafe(text));
    if (!parsed.success) {
      throw malformedResponse(this.provider.id, parsed.error.issues[0]?.message ?? 'not JSON');
    }
    return { data: parsed.data, rateLimit, headers: res.headers };
  }

  /** Sends a request whose answer is streamed (SSE or AWS event stream). */
  async stream(req: VendorRequest, ctx: CallContext): Promise<OpenStream> {
    const { res, scope, rateLimit } = await this.send(req, ctx);
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of res.body) yield chunk as Uint8Array;
      } catch (e) {
        throw scope.translate(e);
      } finally {
        scope.dispose();
        res.body.destroy();
      }
    }
    return { headers: res.headers, rateLimit, body: body() };
  }

  /** Maps an error found inside a 200 response (a mid-stream error event). */
  mapError(res: Omit<ErrorResponse, 'rateLimit' | 'now'>): ProviderError {
    return this.redacted(this.dialect.mapError({ ...res, rateLimit: undefined, now: Date.now() }));
  }

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.close();
  }

  private async send(req: VendorRequest, ctx: CallContext) {
    const provider = this.provider;
    const keys = this.keys;
    const scope = new CallScope(ctx.signal, ctx.timeoutMs ?? provider.timeoutMs, provider.id);
    const tried = new Set<string>();
    try {
      let rejected: ProviderError | undefined;
      for (;;) {
        const key = keys.next(tried);
        if (rejected && key === undefined) throw this.redacted(rejected);
        if (key) tried.add(key);
        const res = await this.attempt(req, key, scope);
        const now = Date.now();
        const rateLimit = this.dialect.readRateLimit(res.headers, now);
        if (res.statusCode >= 200 && res.statusCode < 300) return { res, scope, rateLimit };
        const text = await res.body.text();
        const err = this.dialect.mapError({
          status: res.statusCode,
          headers: res.headers,
          text,
          json: parseJsonSafe(text),
          rateLimit,
          now,
        });
        if (err.code === 'auth' && key) {
          keys.setAside(key);
          rejected = err;
          continue;
        }
        throw this.redacted(err);
      }
    } catch (e) {
      scope.dispose();
      throw this.redacted(scope.translate(e));
    }
  }

  private async attempt(req: VendorRequest, key: string | undefined, scope: CallScope) {
    const provider = this.provider;
    const out: OutgoingRequest = {
      method: req.method ?? 'POST',
      url: new URL(req.url),
      headers: {
        accept: 'application/json',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...provider.headers,
        ...req.headers,
      },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    };
    await this.dialect.authorize(out, key, provider);
    const options: Dispatcher.RequestOptions = {
      origin: out.url.origin,
      path: out.url.pathname + out.url.search,
      method: out.method,
      headers: out.headers,
      body: out.body ?? null,
      signal: scope.signal,
    };
    return this.pool().request(options);
  }

  private redacted(err: ProviderError): ProviderError {
    err.message = redact(err.message, this.secrets);
    return err;
  }
}
