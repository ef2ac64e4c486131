import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskInput } from '@gateway/contracts';
import { OcrEngine, runLocalTask, wordPieces } from '@gateway/providers';

/**
 * A small OpenAI-compatible server over the local provider's algorithms: the "upstream" that
 * both the gateway (through an `openai-compatible` deployment) and the direct path call in the
 * bench, so the difference between the two is what the gateway adds. Text-only chat and
 * embeddings; streaming sends one word per chunk, `gapMs` apart.
 */
export async function startOpenAiUpstream(opts: {
  gapMs: number;
}): Promise<{ url: string; server: Server }> {
  const ocr = new OcrEngine();
  const server = createServer((req, res) => {
    void handle(req, res, ocr, opts.gapMs).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: String(e), type: 'server_error', param: null, code: null },
        }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/v1`, server };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

type Msg = { role: string; content: string };

async function handle(req: IncomingMessage, res: ServerResponse, ocr: OcrEngine, gapMs: number) {
  const body = await readJson(req);
  const model = String(body.model);
  if (req.url === '/v1/embeddings') {
    const input = { input: body.input as string | string[] } as TaskInput<'embed'>;
    const r = await runLocalTask('embed', input, { ocr });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        data: r.output.embeddings.map((embedding, index) => ({
          object: 'embedding',
          index,
          embedding,
        })),
        model,
        usage: { prompt_tokens: r.usage.inputTokens, total_tokens: r.usage.inputTokens },
      }),
    );
    return;
  }
  if (req.url !== '/v1/chat/completions') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { message: 'not found', type: 'invalid_request_error', param: null, code: null },
      }),
    );
    return;
  }
  const messages = (body.messages as Msg[]).map((m) => ({
    role: m.role as 'user',
    content: m.content,
  }));
  const r = await runLocalTask('chat', { messages }, { ocr });
  const usage = {
    prompt_tokens: r.usage.inputTokens,
    completion_tokens: r.usage.outputTokens,
    total_tokens: r.usage.inputTokens + r.usage.outputTokens,
  };
  const base = { id: 'chatcmpl-up', created: Math.floor(Date.now() / 1000), model };
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: r.output.message.content },
            finish_reason: 'stop',
          },
        ],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: object, finish: string | null, extra: object = {}) =>
    res.write(
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
    );
  chunk({ role: 'assistant', content: '' }, null);
  for (const piece of wordPieces(r.output.message.content)) {
    chunk({ content: piece }, null);
    if (gapMs > 0) await new Promise((s) => setTimeout(s, gapMs));
  }
  chunk({}, 'stop');
  const so = body.stream_options as { include_usage?: boolean } | undefined;
  if (so?.include_usage)
    res.write(
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
    );
  res.end('data: [DONE]\n\n');
}
