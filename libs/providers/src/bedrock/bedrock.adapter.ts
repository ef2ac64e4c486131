import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
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
import { readRetryAfterOnly } from '../http/rate-limit-headers';
import { usageOf } from '../http/usage';
import { VendorClient, type OutgoingRequest } from '../http/vendor-client';
import { bedrockStatusOf, mapBedrockError, mapBedrockStopReason } from './bedrock.errors';
import { converseBody } from './bedrock.request';
import {
  ConverseResponse,
  StreamContentBlockDelta,
  StreamContentBlockStart,
  StreamMessageStop,
  StreamMetadata,
  type BedrockUsage,
} from './bedrock.schemas';
import { decodeAwsEventStream } from './bedrock.stream';

export const BEDROCK_TASKS: ReadonlySet<TaskName> = new Set<TaskName>([
  'chat',
  'summarize',
  'classify',
  'extract',
  'image.classify',
  'image.caption',
  'image.ocr',
]);

const DEFAULT_REGION = 'us-east-1';

function hasApiKey(p: ProviderConfig): boolean {
  return !!p.apiKey || !!p.apiKeys?.length;
}

/** One SigV4 signer per provider config, so its derived signing keys are cached. */
const signers = new WeakMap<ProviderConfig, SignatureV4>();

function signerFor(p: ProviderConfig): SignatureV4 {
  let signer = signers.get(p);
  if (!signer) {
    signer = new SignatureV4({
      service: 'bedrock',
      region: p.region ?? DEFAULT_REGION,
      credentials: {
        accessKeyId: p.accessKeyId!,
        secretAccessKey: p.secretAccessKey!,
        ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}),
      },
      sha256: Hash.bind(null, 'sha256'),
    });
    signers.set(p, signer);
  }
  return signer;
}

/** A Bedrock API key goes as a bearer token; otherwise the request is signed with SigV4. */
async function authorize(
  req: OutgoingRequest,
  key: string | undefined,
  p: ProviderConfig,
): Promise<void> {
  if (key) {
    req.headers.authorization = `Bearer ${key}`;
    return;
  }
  const { url } = req;
  const signed = await signerFor(p).sign({
    method: req.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers, host: url.host },
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  Object.assign(req.headers, signed.headers);
}

/** `{base}/model/{modelId}/{operation}`: the regional endpoint unless baseUrl overrides, modelId encoded. */
export function bedrockModelUrl(p: ProviderConfig, model: string, operation: string): string {
  const region = p.region ?? DEFAULT_REGION;
  const base = (p.baseUrl ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, '');
  return `${base}/model/${encodeURIComponent(model)}/${operation}`;
}

function usage(u: BedrockUsage | undefined) {
  if (!u) return usageOf(0, 0);
  return usageOf(
    u.inputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheWriteInputTokens ?? 0),
    u.outputTokens,
  );
}

/** AWS Bedrock Runtime Converse and ConverseStream. */
export class BedrockAdapter implements ProviderAdapter, ChatBackend {
  readonly type = 'bedrock';
  private readonly client: VendorClient;

  constructor(provider: ProviderConfig) {
    this.client = new VendorClient(provider, {
      authorize,
      mapError: (res) => mapBedrockError(res, this.label),
      readRateLimit: readRetryAfterOnly,
      secretsOf: (p) => [p.secretAccessKey, p.sessionToken],
    });
  }

  get label(): string {
    return `provider "${this.client.config.id}"`;
  }

  private url(model: string, operation: 'converse' | 'converse-stream'): string {
    return bedrockModelUrl(this.client.config, model, operation);
  }

  call<T extends TaskName>(task: T, input: TaskInput<T>, ctx: CallContext): Promise<CallResult<T>> {
    return runTask(this, task, input, ctx);
  }

  async chat(input: TaskInput<'chat'>, ctx: CallContext): Promise<CallResult<'chat'>> {
    const req = {
      url: this.url(ctx.deployment.model, 'converse'),
      body: converseBody(input, ctx.deployment.maxOutputTokens, this.label),
    };
    const { data, rateLimit } = await this.client.json(req, ctx, ConverseResponse);
    const format = formatToolName(input);
    let content = '';
    let formatted = false;
    const toolCalls: { id: string; name: string; arguments: string }[] = [];
    for (const block of data.output.message.content) {
      if (block.text) content += block.text;
      if (block.toolUse) {
        if (block.toolUse.name === format) {
          content = JSON.stringify(block.toolUse.input);
          formatted = true;
        } else {
          const { toolUseId, name, input: args } = block.toolUse;
          toolCalls.push({ id: toolUseId, name, arguments: JSON.stringify(args ?? {}) });
        }
      }
    }
    const images = countImages(input.messages);
    return {
      output: {
        message: { role: 'assistant', content, ...(toolCalls.length ? { toolCalls } : {}) },
        finishReason: formatted ? 'stop' : mapBedrockStopReason(data.stopReason),
      },
      usage: usage(data.usage),
      ...(rateLimit ? { rateLimit } : {}),
      ...(images ? { images } : {}),
    };
  }

  async *streamChat(input: TaskInput<'chat'>, ctx: CallContext): AsyncIterable<ChatStreamEvent> {
    const req = {
      url: this.url(ctx.deployment.model, 'converse-stream'),
      body: converseBody(input, ctx.deployment.maxOutputTokens, this.label),
      headers: { accept: 'application/vnd.amazon.eventstream' },
    };
    const stream = await this.client.stream(req, ctx);
    const format = formatToolName(input);
    let formatBlock: number | undefined;
    let stop: string | undefined;
    const finish = () => (formatBlock !== undefined ? 'stop' : mapBedrockStopReason(stop));
    for await (const ev of decodeAwsEventStream(stream.body)) {
      const json = parseJsonSafe(ev.payload);
      if (ev.messageType !== 'event') {
        // A stream exception names its type in a frame header, as x-amzn-ErrorType does for HTTP errors.
        throw this.client.mapError({
          status: bedrockStatusOf(ev.name),
          headers: { 'x-amzn-errortype': ev.name },
          text: ev.payload,
          json: json ?? { message: ev.payload },
        });
      }
      switch (ev.name) {
        case 'contentBlockStart': {
          const e = StreamContentBlockStart.safeParse(json);
          if (e.success && format && e.data.start?.toolUse?.name === format)
            formatBlock = e.data.contentBlockIndex ?? 0;
          break;
        }
        case 'contentBlockDelta': {
          const e = StreamContentBlockDelta.safeParse(json);
          if (!e.success) throw malformedResponse(this.label, 'bad contentBlockDelta');
          const { delta, contentBlockIndex } = e.data;
          if (delta?.text) yield { type: 'delta', text: delta.text };
          else if (delta?.toolUse?.input && (contentBlockIndex ?? 0) === formatBlock) {
            yield { type: 'delta', text: delta.toolUse.input };
          }
          break;
        }
        case 'messageStop': {
          const e = StreamMessageStop.safeParse(json);
          if (e.success) stop = e.data.stopReason;
          break;
        }
        case 'metadata': {
          const e = StreamMetadata.safeParse(json);
          yield {
            type: 'done',
            finishReason: finish(),
            usage: usage(e.success ? e.data.usage : undefined),
            ...(stream.rateLimit ? { rateLimit: stream.rateLimit } : {}),
          };
          return;
        }
        default:
          break; // messageStart, contentBlockStop
      }
    }
    if (stop === undefined) throw malformedResponse(this.label, 'stream ended before messageStop');
    yield { type: 'done', finishReason: finish(), usage: usageOf(0, 0) };
  }

  reconfigure(provider: ProviderConfig): void {
    this.client.reconfigure(provider);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export const bedrockAdapterFactory: AdapterFactory = {
  type: 'bedrock',
  tasks: BEDROCK_TASKS,
  hasCredentials: (p) => hasApiKey(p) || (!!p.accessKeyId && !!p.secretAccessKey),
  create: (p) => new BedrockAdapter(p),
};
