/**
 * AWS Bedrock Runtime test server: `POST /model/{modelId}/converse` and `/converse-stream`
 * (binary `application/vnd.amazon.eventstream` frames), modelId percent-encoded in the path.
 * A SigV4 `authorization` header is verified against `BEDROCK_TEST_CREDENTIALS` (a wrong
 * signature answers 403 InvalidSignatureException); `Authorization: Bearer <key>` (a Bedrock
 * API key) is accepted as is. Errors carry their type in `x-amzn-ErrorType`. Bodies come from
 * the fixtures in `libs/providers/src/bedrock/fixtures`.
 *
 *   const server = await startBedrockServer();
 *   const provider = { id: 'bedrock', type: 'bedrock', baseUrl: server.baseUrl, region: 'us-east-1',
 *                      ...BEDROCK_TEST_CREDENTIALS };
 *   server.scriptError(429);                     // ThrottlingException
 *   server.script(bedrockStreamException('throttlingException', 'Too many tokens'));
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import converseFixture from '../../../libs/providers/src/bedrock/fixtures/converse.json';
import toolFixture from '../../../libs/providers/src/bedrock/fixtures/converse-tool-use.json';
import streamFixture from '../../../libs/providers/src/bedrock/fixtures/converse-stream-events.json';
import errorFixtures from '../../../libs/providers/src/bedrock/fixtures/errors.json';
import { encodeAwsEvent } from '../../../libs/providers/src/bedrock/bedrock.stream';
import { FAKE_REPLY, replyPieces, sampleFromSchema } from './fake-model';
import {
  startVendorServer,
  type RecordedRequest,
  type ScriptedResponse,
  type VendorServer,
  type Json,
  errorFixture,
} from './vendor-server';
import { bedrockToolHistoryProblem, refuse } from './tool-history';

export const BEDROCK_TEST_CREDENTIALS = {
  accessKeyId: 'AKIDTESTBEDROCK',
  secretAccessKey: 'bedrock-test-secret',
} as const;
export const BEDROCK_TEST_REGION = 'us-east-1';

const MODEL_PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

function error(status: number, variant?: string): ScriptedResponse {
  const e = errorFixture<{ type: string; body: unknown }>(errorFixtures, status, variant);
  return {
    status,
    headers: {
      'x-amzn-errortype': `${e.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      'x-amzn-requestid': 'bedrock-test-request',
    },
    json: e.body,
  };
}

/** A stream that starts normally and then fails with an exception frame. */
export function bedrockStreamException(type: string, message: string): ScriptedResponse {
  const [start, delta] = streamFixture;
  return {
    headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    chunks: [
      encodeAwsEvent('event', start.eventType, start.payload),
      encodeAwsEvent('event', delta.eventType, delta.payload),
      encodeAwsEvent('exception', type, { message }),
    ],
  };
}

/** Recomputes the SigV4 signature of a request; true when it matches what the client sent. */
async function signatureMatches(req: RecordedRequest): Promise<boolean> {
  const auth = String(req.headers.authorization ?? '');
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m || !signedHeaders.includes('host')) return false;
  const signingDate = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(req.headers[h] ?? '')]));
  const signer = new SignatureV4({
    service: 'bedrock',
    region: BEDROCK_TEST_REGION,
    credentials: BEDROCK_TEST_CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
  });
  const host = headers.host;
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: host.split(':')[0],
      path: req.path,
      query: {},
      headers,
      body: req.rawBody,
    },
    { signingDate },
  );
  return signed.headers.authorization === auth;
}

function forcedTool(body: Json): { name: string; input: unknown } | undefined {
  const name = body?.toolConfig?.toolChoice?.tool?.name;
  const tool = (body?.toolConfig?.tools ?? []).find((t: Json) => t.toolSpec?.name === name);
  return tool ? { name, input: sampleFromSchema(tool.toolSpec.inputSchema?.json) } : undefined;
}

function answer(req: RecordedRequest): ScriptedResponse {
  const m = MODEL_PATH.exec(req.path);
  if (req.method !== 'POST' || !m) return error(404);
  const problem = bedrockToolHistoryProblem(req.body?.messages);
  if (problem) return refuse(error(400), problem);
  const tool = forcedTool(req.body);
  if (m[2] === 'converse-stream') {
    const [start, delta, blockStop, stop, metadata] = structuredClone(streamFixture) as Json[];
    const frames = [encodeAwsEvent('event', start.eventType, start.payload)];
    if (tool) {
      frames.push(
        encodeAwsEvent('event', 'contentBlockStart', {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: 'tooluse_test', name: tool.name } },
        }),
      );
    }
    for (const piece of replyPieces(tool ? JSON.stringify(tool.input) : FAKE_REPLY)) {
      const d = tool ? { toolUse: { input: piece } } : { text: piece };
      frames.push(encodeAwsEvent('event', delta.eventType, { ...delta.payload, delta: d }));
    }
    if (tool) stop.payload.stopReason = 'tool_use';
    for (const e of [blockStop, stop, metadata])
      frames.push(encodeAwsEvent('event', e.eventType, e.payload));
    return { headers: { 'content-type': 'application/vnd.amazon.eventstream' }, chunks: frames };
  }
  const body = structuredClone(tool ? toolFixture : converseFixture) as Json;
  if (tool)
    Object.assign(body.output.message.content[0].toolUse, { name: tool.name, input: tool.input });
  return { headers: { 'x-amzn-requestid': 'bedrock-test-request' }, json: body };
}

export type BedrockServer = VendorServer & { readonly baseUrl: string };

export async function startBedrockServer(): Promise<BedrockServer> {
  // Signature checks are async; they run before the vendor behaviour answers.
  const verdicts = new WeakMap<RecordedRequest, boolean>();
  const server = await startVendorServer({
    respond: (req) => (verdicts.get(req) === false ? error(403, 'signature') : answer(req)),
    error,
    keyOf: (req) => /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1],
    rejectedKey: () => error(403, 'unrecognized'),
    prepare: async (req) => {
      if (String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
        verdicts.set(req, await signatureMatches(req));
      } else if (!req.headers.authorization) verdicts.set(req, false);
    },
  });
  return Object.assign(server, { baseUrl: server.url });
}
