import type { TaskInput, TaskName } from '@gateway/contracts';
import type { ProviderConfig } from '@gateway/config';
import type {
  AdapterFactory,
  CallContext,
  CallResult,
  ChatStreamEvent,
  ProviderAdapter,
} from '../provider-adapter';
import { countImages, formatToolName, runTask, type ChatBackend } from '../http/chat-tasks';
import { malformedResponse, parseJsonSafe } from '../http/errors';
import { readAnthropicRateLimit } from '../http/rate-limit-headers';
import { parseSse } from '../http/sse';
import { usageOf } from '../http/usage';
import { VendorClient } from '../http/vendor-client';
import {
  ANTHROPIC_STATUS_OF_TYPE,
  mapAnthropicError,
  mapAnthropicStopReason,
} from './anthropic.errors';
import { ANTHROPIC_DEFAULT_VERSION, messagesBody } from './anthropic.request';
import { AnthropicMessage, AnthropicStreamEvent, type AnthropicUsage } from './anthropic.schemas';

export const ANTHROPIC_TASKS: ReadonlySet<TaskName> = new Set<TaskName>([
  'chat',
  'summarize',
  'classify',
  'extract',
  'image.classify',
  'image.caption',
  'image.ocr',
]);

/** Cached prompt tokens are billed input too; Anthropic reports them apart. */
function inputTokens(u: AnthropicUsage | undefined): number | undefined {
  if (!u || u.input_tokens === null || u.input_tokens === undefined) return undefined;
  return u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

/** Anthropic Messages API: chat with images, tools, and structured output via a forced tool. */
export class AnthropicAdapter implements ProviderAdapter, ChatBackend {
  readonly type = 'anthropic';
  private readonly client: VendorClient;

  constructor(provider: ProviderConfig) {
    this.client = new VendorClient(provider, {
      authorize: (req, key, p) => {
        if (key) req.headers['x-api-key'] = key;
        req.headers['anthropic-version'] = p.apiVersion ?? ANTHROPIC_DEFAULT_VERSION;
      },
      mapError: (res) => mapAnthropicError(res, this.label),
      readRateLimit: readAnthropicRateLimit,
    });
  }

  get label(): string {
    return `provider "${this.client.config.id}"`;
  }

  private url(): string {
    return `${(this.client.config.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '')}/v1/messages`;
  }

  call<T extends TaskName>(task: T, input: TaskInput<T>, ctx: CallContext): Promise<CallResult<T>> {
    return runTask(this, task, input, ctx);
  }

  async chat(input: TaskInput<'chat'>, ctx: CallContext): Promise<CallResult<'chat'>> {
    const body = messagesBody(
      input,
      ctx.deployment.model,
      ctx.deployment.maxOutputTokens,
      false,
      this.label,
    );
    const { data, rateLimit } = await this.client.json(
      { url: this.url(), body },
      ctx,
      AnthropicMessage,
    );
    const format = formatToolName(input);
    let content = '';
    const toolCalls: { id: string; name: string; arguments: string }[] = [];
    let formatted = false;
    for (const block of data.content) {
      if (block.type === 'text' && 'text' in block) content += block.text;
      else if (block.type === 'tool_use' && 'name' in block) {
        if (block.name === format) {
          content = JSON.stringify(block.input);
          formatted = true;
        } else
          toolCalls.push({
            id: block.id,
            name: block.name,
            arguments: JSON.stringify(block.input ?? {}),
          });
      }
    }
    const images = countImages(input.messages);
    return {
      output: {
        message: { role: 'assistant', content, ...(toolCalls.length ? { toolCalls } : {}) },
        finishReason: formatted ? 'stop' : mapAnthropicStopReason(data.stop_reason),
      },
      usage: usageOf(inputTokens(data.usage), data.usage.output_tokens),
      rateLimit,
      ...(data.model ? { model: data.model } : {}),
      ...(images ? { images } : {}),
    };
  }

  async *streamChat(input: TaskInput<'chat'>, ctx: CallContext): AsyncIterable<ChatStreamEvent> {
    const body = messagesBody(
      input,
      ctx.deployment.model,
      ctx.deployment.maxOutputTokens,
      true,
      this.label,
    );
    const stream = await this.client.stream(
      { url: this.url(), body, headers: { accept: 'text/event-stream' } },
      ctx,
    );
    const format = formatToolName(input);
    let formatBlock: number | undefined;
    let input_tokens: number | undefined;
    let output_tokens: number | null | undefined;
    let stop: string | null | undefined;
    for await (const ev of parseSse(stream.body)) {
      const parsed = AnthropicStreamEvent.safeParse(parseJsonSafe(ev.data));
      if (!parsed.success) throw malformedResponse(this.label, `bad ${ev.event ?? 'stream'} event`);
      const e = parsed.data;
      switch (e.type) {
        case 'message_start':
          input_tokens = inputTokens(e.message?.usage);
          output_tokens = e.message?.usage?.output_tokens;
          break;
        case 'content_block_start':
          if (e.content_block?.type === 'tool_use' && e.content_block.name === format)
            formatBlock = e.index;
          break;
        case 'content_block_delta':
          if (e.delta?.type === 'text_delta' && e.delta.text)
            yield { type: 'delta', text: e.delta.text };
          else if (
            e.delta?.type === 'input_json_delta' &&
            e.index === formatBlock &&
            e.delta.partial_json
          ) {
            yield { type: 'delta', text: e.delta.partial_json };
          }
          break;
        case 'message_delta':
          if (e.delta?.stop_reason) stop = e.delta.stop_reason;
          if (e.usage?.output_tokens !== undefined && e.usage.output_tokens !== null)
            output_tokens = e.usage.output_tokens;
          input_tokens = inputTokens(e.usage) ?? input_tokens;
          break;
        case 'message_stop':
          yield {
            type: 'done',
            finishReason: formatBlock !== undefined ? 'stop' : mapAnthropicStopReason(stop),
            usage: usageOf(input_tokens, output_tokens),
            ...(stream.rateLimit ? { rateLimit: stream.rateLimit } : {}),
          };
          return;
        case 'error': {
          const type = e.error?.type ?? 'api_error';
          const status = ANTHROPIC_STATUS_OF_TYPE[type] ?? 500;
          throw this.client.mapError({
            status,
            headers: stream.headers,
            text: ev.data,
            json: parseJsonSafe(ev.data),
          });
        }
        default:
          break; // ping, content_block_stop and event types added later
      }
    }
    throw malformedResponse(this.label, 'stream ended before message_stop');
  }

  reconfigure(provider: ProviderConfig): void {
    this.client.reconfigure(provider);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export const anthropicAdapterFactory: AdapterFactory = {
  type: 'anthropic',
  tasks: ANTHROPIC_TASKS,
  hasCredentials: (p) => !!p.apiKey || !!p.apiKeys?.length,
  create: (p) => new AnthropicAdapter(p),
};
