import type { TaskInput, TaskName } from '@gateway/contracts';
import type { ProviderConfig } from '@gateway/config';
import type {
  AdapterFactory,
  CallContext,
  CallResult,
  ChatStreamEvent,
  ProviderAdapter,
} from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { countImages, runTask, type ChatBackend } from '../http/chat-tasks';
import { malformedResponse, parseJsonSafe } from '../http/errors';
import { readRetryAfterOnly } from '../http/rate-limit-headers';
import { parseSse } from '../http/sse';
import { estimateTokens, usageOf } from '../http/usage';
import { VendorClient } from '../http/vendor-client';
import { mapGeminiError, mapGeminiFinishReason } from './gemini.errors';
import { generateContentBody } from './gemini.request';
import { GeminiBatchEmbedResponse, GeminiEmbedResponse, GeminiResponse } from './gemini.schemas';

export const GEMINI_TASKS: ReadonlySet<TaskName> = new Set<TaskName>([
  'chat',
  'summarize',
  'classify',
  'extract',
  'embed',
  'image.classify',
  'image.caption',
  'image.ocr',
]);

/** `models/x` for a bare model name; tuned models (`tunedModels/x`) pass as they are. */
function modelPath(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

/** Google Gemini API: generateContent (+ SSE stream), embedContent / batchEmbedContents. */
export class GeminiAdapter implements ProviderAdapter, ChatBackend {
  readonly type = 'gemini';
  private readonly client: VendorClient;

  constructor(provider: ProviderConfig) {
    this.client = new VendorClient(provider, {
      authorize: (req, key) => {
        if (key) req.headers['x-goog-api-key'] = key;
      },
      mapError: (res) => mapGeminiError(res, this.label),
      readRateLimit: readRetryAfterOnly,
    });
  }

  get label(): string {
    return `provider "${this.client.config.id}"`;
  }

  private url(model: string, method: string, query = ''): string {
    const p = this.client.config;
    const base = (p.baseUrl ?? 'https://generativelanguage.googleapis.com').replace(/\/+$/, '');
    return `${base}/${p.apiVersion ?? 'v1beta'}/${modelPath(model)}:${method}${query}`;
  }

  call<T extends TaskName>(task: T, input: TaskInput<T>, ctx: CallContext): Promise<CallResult<T>> {
    return runTask(this, task, input, ctx);
  }

  /** Text, tool calls and finish reason of one (full or streamed) response. */
  private read(data: GeminiResponse) {
    const candidate = data.candidates?.[0];
    if (!candidate && data.promptFeedback?.blockReason) {
      throw new ProviderError(
        'content_filtered',
        `${this.label}: prompt blocked (${data.promptFeedback.blockReason})`,
        {
          retryable: false,
        },
      );
    }
    let text = '';
    const toolCalls: { id: string; name: string; arguments: string }[] = [];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.thought) continue;
      if (part.text) text += part.text;
      if (part.functionCall) {
        const { id, name, args } = part.functionCall;
        toolCalls.push({ id: id ?? name, name, arguments: JSON.stringify(args ?? {}) });
      }
    }
    return { text, toolCalls, finishReason: candidate?.finishReason };
  }

  private usage(data: GeminiResponse['usageMetadata']) {
    // Thinking tokens are billed as output.
    const output = (data?.candidatesTokenCount ?? 0) + (data?.thoughtsTokenCount ?? 0);
    return usageOf(data?.promptTokenCount, output);
  }

  async chat(input: TaskInput<'chat'>, ctx: CallContext): Promise<CallResult<'chat'>> {
    const req = {
      url: this.url(ctx.deployment.model, 'generateContent'),
      body: generateContentBody(input, this.label),
    };
    const { data, rateLimit } = await this.client.json(req, ctx, GeminiResponse);
    const { text, toolCalls, finishReason } = this.read(data);
    const images = countImages(input.messages);
    return {
      output: {
        message: { role: 'assistant', content: text, ...(toolCalls.length ? { toolCalls } : {}) },
        finishReason: mapGeminiFinishReason(finishReason, toolCalls.length > 0),
      },
      usage: this.usage(data.usageMetadata),
      ...(rateLimit ? { rateLimit } : {}),
      ...(data.modelVersion ? { model: data.modelVersion } : {}),
      ...(images ? { images } : {}),
    };
  }

  async *streamChat(input: TaskInput<'chat'>, ctx: CallContext): AsyncIterable<ChatStreamEvent> {
    const req = {
      url: this.url(ctx.deployment.model, 'streamGenerateContent', '?alt=sse'),
      body: generateContentBody(input, this.label),
      headers: { accept: 'text/event-stream' },
    };
    const stream = await this.client.stream(req, ctx);
    let usage: GeminiResponse['usageMetadata'];
    let finish: string | undefined;
    let calledTools = false;
    // Gemini's stream has no terminator: it ends when the connection does.
    for await (const ev of parseSse(stream.body)) {
      const json = parseJsonSafe(ev.data) as { error?: { code?: number } } | undefined;
      if (json?.error) {
        throw this.client.mapError({
          status: json.error.code ?? 500,
          headers: stream.headers,
          text: ev.data,
          json,
        });
      }
      const parsed = GeminiResponse.safeParse(json);
      if (!parsed.success) throw malformedResponse(this.label, 'bad stream chunk');
      const { text, toolCalls, finishReason } = this.read(parsed.data);
      if (text) yield { type: 'delta', text };
      if (toolCalls.length) calledTools = true;
      if (finishReason) finish = finishReason;
      if (parsed.data.usageMetadata) usage = parsed.data.usageMetadata;
    }
    if (!finish) throw malformedResponse(this.label, 'stream ended without a finish reason');
    yield {
      type: 'done',
      finishReason: mapGeminiFinishReason(finish, calledTools),
      usage: this.usage(usage),
      ...(stream.rateLimit ? { rateLimit: stream.rateLimit } : {}),
    };
  }

  async embed(input: TaskInput<'embed'>, ctx: CallContext): Promise<CallResult<'embed'>> {
    const model = modelPath(ctx.deployment.model);
    const request = (text: string) => ({
      model,
      content: { parts: [{ text }] },
      ...(input.dimensions ? { outputDimensionality: input.dimensions } : {}),
    });
    // Gemini reports no token counts for embeddings: estimate them for cost accounting.
    const usage = usageOf(estimateTokens(input.input), 0);
    if (typeof input.input === 'string') {
      const req = {
        url: this.url(ctx.deployment.model, 'embedContent'),
        body: request(input.input),
      };
      const { data, rateLimit } = await this.client.json(req, ctx, GeminiEmbedResponse);
      return {
        output: { embeddings: [data.embedding.values] },
        usage,
        ...(rateLimit ? { rateLimit } : {}),
      };
    }
    const req = {
      url: this.url(ctx.deployment.model, 'batchEmbedContents'),
      body: { requests: input.input.map(request) },
    };
    const { data, rateLimit } = await this.client.json(req, ctx, GeminiBatchEmbedResponse);
    return {
      output: { embeddings: data.embeddings.map((e) => e.values) },
      usage,
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  reconfigure(provider: ProviderConfig): void {
    this.client.reconfigure(provider);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export const geminiAdapterFactory: AdapterFactory = {
  type: 'gemini',
  tasks: GEMINI_TASKS,
  hasCredentials: (p) => !!p.apiKey || !!p.apiKeys?.length,
  create: (p) => new GeminiAdapter(p),
};
