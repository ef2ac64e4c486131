import type { TaskInput, TaskName } from '@gateway/contracts';
import type { ProviderConfig } from '@gateway/config';
import type {
  AdapterFactory,
  CallContext,
  CallResult,
  ChatStreamEvent,
  ProviderAdapter,
} from '../provider-adapter';
import type { ProviderError } from '../provider-error';
import { countImages, runTask, type ChatBackend } from '../http/chat-tasks';
import { malformedResponse, parseJsonSafe } from '../http/errors';
import { readOpenAiRateLimit } from '../http/rate-limit-headers';
import { parseSse } from '../http/sse';
import { estimateTokens, usageOf } from '../http/usage';
import { VendorClient, type ErrorResponse, type OutgoingRequest } from '../http/vendor-client';
import { mapOpenAiError, mapOpenAiFinishReason } from './openai.errors';
import { chatBody, decodeBase64Embedding, type OpenAiBodyOptions } from './openai.request';
import { OpenAiChatChunk, OpenAiChatResponse, OpenAiEmbeddingResponse } from './openai.schemas';

type Operation = 'chat/completions' | 'embeddings';

/** Where OpenAI-shaped APIs (OpenAI, Azure OpenAI, compatible servers) differ. */
export interface OpenAiFlavour {
  readonly type: string;
  url(provider: ProviderConfig, operation: Operation, model: string): string;
  authorize(req: OutgoingRequest, key: string | undefined, provider: ProviderConfig): void;
  readonly modelInBody: boolean;
  readonly maxTokensField: OpenAiBodyOptions['maxTokensField'];
  readonly embeddingEncoding: 'float' | 'base64';
  mapError(res: ErrorResponse, label: string): ProviderError;
}

export const OPENAI_FLAVOUR: OpenAiFlavour = {
  type: 'openai',
  url: (p, op) => `${(p.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}/${op}`,
  authorize: (req, key) => {
    if (key) req.headers.authorization = `Bearer ${key}`;
  },
  modelInBody: true,
  maxTokensField: 'max_completion_tokens',
  // As OpenAI's own SDK does: a quarter of the bytes of a JSON float list.
  embeddingEncoding: 'base64',
  mapError: mapOpenAiError,
};

export const OPENAI_TASKS: ReadonlySet<TaskName> = new Set<TaskName>([
  'chat',
  'summarize',
  'classify',
  'extract',
  'embed',
  'image.classify',
  'image.caption',
  'image.ocr',
]);

/** OpenAI Chat Completions and Embeddings; the other OpenAI-shaped providers reuse it. */
export class OpenAiAdapter implements ProviderAdapter, ChatBackend {
  readonly type: string;
  private readonly client: VendorClient;

  constructor(
    provider: ProviderConfig,
    private readonly flavour: OpenAiFlavour = OPENAI_FLAVOUR,
  ) {
    this.type = flavour.type;
    this.client = new VendorClient(provider, {
      authorize: flavour.authorize,
      mapError: (res) => flavour.mapError(res, this.label),
      readRateLimit: readOpenAiRateLimit,
    });
  }

  get label(): string {
    return `provider "${this.client.config.id}"`;
  }

  call<T extends TaskName>(task: T, input: TaskInput<T>, ctx: CallContext): Promise<CallResult<T>> {
    return runTask(this, task, input, ctx);
  }

  private request(op: Operation, ctx: CallContext, body: Record<string, unknown>) {
    return { url: this.flavour.url(this.client.config, op, ctx.deployment.model), body };
  }

  private bodyOptions(ctx: CallContext): OpenAiBodyOptions {
    const f = this.flavour;
    return {
      model: f.modelInBody ? ctx.deployment.model : undefined,
      maxTokensField: f.maxTokensField,
    };
  }

  async chat(input: TaskInput<'chat'>, ctx: CallContext): Promise<CallResult<'chat'>> {
    const req = this.request(
      'chat/completions',
      ctx,
      chatBody(input, this.bodyOptions(ctx), false),
    );
    const { data, rateLimit } = await this.client.json(req, ctx, OpenAiChatResponse);
    const choice = data.choices[0];
    if (!choice) throw malformedResponse(this.label, 'no choices');
    const { content, refusal, tool_calls } = choice.message;
    const toolCalls = tool_calls?.map((t) => ({
      id: t.id,
      name: t.function.name,
      arguments: t.function.arguments,
    }));
    const images = countImages(input.messages);
    return {
      output: {
        message: {
          role: 'assistant',
          content: content ?? '',
          ...(toolCalls?.length ? { toolCalls } : {}),
        },
        finishReason:
          !content && refusal ? 'content_filter' : mapOpenAiFinishReason(choice.finish_reason),
      },
      usage: usageOf(data.usage?.prompt_tokens, data.usage?.completion_tokens),
      rateLimit,
      ...(data.model ? { model: data.model } : {}),
      ...(images ? { images } : {}),
    };
  }

  async *streamChat(input: TaskInput<'chat'>, ctx: CallContext): AsyncIterable<ChatStreamEvent> {
    const req = this.request('chat/completions', ctx, chatBody(input, this.bodyOptions(ctx), true));
    const stream = await this.client.stream(
      { ...req, headers: { accept: 'text/event-stream' } },
      ctx,
    );
    let finish: string | null | undefined;
    let usage: { prompt_tokens: number; completion_tokens?: number } | null | undefined;
    let done = false;
    for await (const ev of parseSse(stream.body)) {
      if (ev.data === '[DONE]') {
        done = true;
        break;
      }
      const json = parseJsonSafe(ev.data) as { error?: { code?: unknown } } | undefined;
      if (ev.event === 'error' || json?.error) {
        const status = typeof json?.error?.code === 'number' ? json.error.code : 500;
        throw this.client.mapError({ status, headers: stream.headers, text: ev.data, json });
      }
      const chunk = OpenAiChatChunk.safeParse(json);
      if (!chunk.success) throw malformedResponse(this.label, 'bad stream chunk');
      for (const choice of chunk.data.choices ?? []) {
        if (choice.delta?.content) yield { type: 'delta', text: choice.delta.content };
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      if (chunk.data.usage) usage = chunk.data.usage;
    }
    if (!done && !finish) throw malformedResponse(this.label, 'stream ended before it finished');
    yield {
      type: 'done',
      finishReason: mapOpenAiFinishReason(finish),
      usage: usageOf(usage?.prompt_tokens, usage?.completion_tokens),
      ...(stream.rateLimit ? { rateLimit: stream.rateLimit } : {}),
    };
  }

  async embed(input: TaskInput<'embed'>, ctx: CallContext): Promise<CallResult<'embed'>> {
    const body: Record<string, unknown> = {
      ...(this.flavour.modelInBody ? { model: ctx.deployment.model } : {}),
      input: input.input,
      encoding_format: this.flavour.embeddingEncoding,
      ...(input.dimensions ? { dimensions: input.dimensions } : {}),
    };
    const { data, rateLimit } = await this.client.json(
      this.request('embeddings', ctx, body),
      ctx,
      OpenAiEmbeddingResponse,
    );
    const rows = [...data.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return {
      output: {
        embeddings: rows.map((r) =>
          typeof r.embedding === 'string' ? decodeBase64Embedding(r.embedding) : r.embedding,
        ),
      },
      usage: usageOf(data.usage?.prompt_tokens ?? estimateTokens(input.input), 0),
      rateLimit,
      ...(data.model ? { model: data.model } : {}),
    };
  }

  reconfigure(provider: ProviderConfig): void {
    this.client.reconfigure(provider);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export const openaiAdapterFactory: AdapterFactory = {
  type: 'openai',
  tasks: OPENAI_TASKS,
  hasCredentials: (p) => !!p.apiKey || !!p.apiKeys?.length,
  create: (p) => new OpenAiAdapter(p, OPENAI_FLAVOUR),
};
