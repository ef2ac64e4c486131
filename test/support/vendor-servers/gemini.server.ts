/**
 * Gemini API test server: `/v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse` (full responses per event, no terminator),
 * `:embedContent` and `:batchEmbedContents`, the key in `x-goog-api-key`, structured output
 * via `generationConfig.responseJsonSchema`, and Google's error bodies (a bad key is a 400
 * `API_KEY_INVALID`; a 429 carries `RetryInfo.retryDelay`). Bodies come from the fixtures in
 * `libs/providers/src/gemini/fixtures`.
 *
 *   const server = await startGeminiServer();
 *   const provider = { id: 'gemini', type: 'gemini', baseUrl: server.baseUrl, apiKey: 'k' };
 *   server.scriptError(429);
 *   server.requests[0].path; // '/v1beta/models/gemini-2.5-flash:generateContent'
 */
import generateFixture from '../../../libs/providers/src/gemini/fixtures/generate-content.json';
import chunkFixture from '../../../libs/providers/src/gemini/fixtures/stream-chunks.json';
import errorFixtures from '../../../libs/providers/src/gemini/fixtures/errors.json';
import { FAKE_REPLY, FAKE_USAGE, fakeEmbedding, replyPieces, sampleFromSchema } from './fake-model';
import {
  sse,
  startVendorServer,
  type RecordedRequest,
  type ScriptedResponse,
  type VendorServer,
  type Json,
  errorFixture,
} from './vendor-server';
import { geminiToolHistoryProblem, refuse } from './tool-history';

const METHOD_PATH =
  /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/;

function error(status: number, variant?: string): ScriptedResponse {
  const json = errorFixture<unknown>(errorFixtures, status, variant);
  return { status, json };
}

function replyText(body: Json): string {
  const config = body?.generationConfig;
  if (config?.responseJsonSchema)
    return JSON.stringify(sampleFromSchema(config.responseJsonSchema));
  if (config?.responseMimeType === 'application/json')
    return JSON.stringify({ answer: FAKE_REPLY });
  return FAKE_REPLY;
}

function respond(req: RecordedRequest): ScriptedResponse {
  const m = METHOD_PATH.exec(req.path);
  if (req.method !== 'POST' || !m) return error(404);
  const [, model, method] = m;
  const generates = method === 'generateContent' || method === 'streamGenerateContent';
  const problem = generates ? geminiToolHistoryProblem(req.body?.contents) : undefined;
  if (problem) return refuse(error(400), problem);
  const values = (i: number) => ({ values: fakeEmbedding(i, req.body?.outputDimensionality) });
  switch (method) {
    case 'embedContent':
      return { json: { embedding: values(0) } };
    case 'batchEmbedContents':
      return {
        json: { embeddings: (req.body?.requests ?? []).map((_: unknown, i: number) => values(i)) },
      };
    case 'streamGenerateContent': {
      if (req.query.alt !== 'sse') return error(400);
      const [template] = chunkFixture;
      const pieces = replyPieces(replyText(req.body));
      const chunks = pieces.map((text, i) => {
        const chunk = structuredClone(template) as Json;
        chunk.modelVersion = model;
        chunk.candidates[0].content.parts = [{ text }];
        chunk.usageMetadata.candidatesTokenCount =
          i === pieces.length - 1 ? FAKE_USAGE.outputTokens : i + 1;
        chunk.usageMetadata.totalTokenCount =
          FAKE_USAGE.inputTokens + chunk.usageMetadata.candidatesTokenCount;
        if (i === pieces.length - 1) chunk.candidates[0].finishReason = 'STOP';
        return sse(chunk);
      });
      return { headers: { 'content-type': 'text/event-stream' }, chunks };
    }
    default: {
      const answer = structuredClone(generateFixture) as Json;
      answer.modelVersion = model;
      answer.candidates[0].content.parts[0].text = replyText(req.body);
      return { json: answer };
    }
  }
}

export type GeminiServer = VendorServer & { readonly baseUrl: string };

export async function startGeminiServer(): Promise<GeminiServer> {
  const server = await startVendorServer({
    respond,
    error,
    keyOf: (req) => req.headers['x-goog-api-key'] as string | undefined,
    rejectedKey: () => error(400, 'api_key_invalid'),
  });
  return Object.assign(server, { baseUrl: server.url });
}
