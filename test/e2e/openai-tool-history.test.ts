/**
 * A conversation that carries tool calls and their results reaches every chat vendor intact
 * through the OpenAI façade: the official SDK sends assistant `tool_calls` and `tool` messages,
 * the job goes through the queue and worker, and each vendor test server (which refuses a
 * malformed tool history with its 400, as the real APIs do) receives the history in its own
 * wire format: OpenAI-shaped as-is, Anthropic `tool_use`/`tool_result` blocks, Gemini
 * `functionCall`/`functionResponse` parts, Bedrock `toolUse`/`toolResult` blocks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { BadRequestError } from 'openai';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { deployment, FLEET_ENV, startFleet, type Fleet } from '../support/vendor-fleet';
import { FAKE_REPLY } from '../support/vendor-servers/fake-model';
import type { RecordedRequest } from '../support/vendor-servers/vendor-server';

const SYSTEM = 'You answer questions about the weather.';
const QUESTION = 'What is the weather in Paris, and in Rome and Oslo?';
const PARIS = '{"temp_c":18,"sky":"cloudy"}';
const NEXT_STEP = 'Paris done; now the other two.';

const call = (id: string, city: string) => ({
  id,
  type: 'function' as const,
  function: { name: 'get_weather', arguments: JSON.stringify({ city }) },
});

/** Two rounds: one call answered, then text with two parallel calls, both answered. */
const HISTORY: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: QUESTION },
  { role: 'assistant', content: null, tool_calls: [call('call_paris', 'Paris')] },
  { role: 'tool', tool_call_id: 'call_paris', content: PARIS },
  {
    role: 'assistant',
    content: NEXT_STEP,
    tool_calls: [call('call_rome', 'Rome'), call('call_oslo', 'Oslo')],
  },
  { role: 'tool', tool_call_id: 'call_rome', content: 'Sunny, 24 C' },
  { role: 'tool', tool_call_id: 'call_oslo', content: 'Snow, -3 C' },
];

const TOOLS: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

const use = (id: string, city: string) => ({
  type: 'tool_use',
  id,
  name: 'get_weather',
  input: { city },
});
const result = (id: string, content: string) => ({ type: 'tool_result', tool_use_id: id, content });

const ANTHROPIC_MESSAGES = [
  { role: 'user', content: QUESTION },
  { role: 'assistant', content: [use('call_paris', 'Paris')] },
  { role: 'user', content: [result('call_paris', PARIS)] },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: NEXT_STEP },
      use('call_rome', 'Rome'),
      use('call_oslo', 'Oslo'),
    ],
  },
  {
    role: 'user',
    content: [result('call_rome', 'Sunny, 24 C'), result('call_oslo', 'Snow, -3 C')],
  },
];

const fnCall = (id: string, city: string, signed: boolean) => ({
  functionCall: { id, name: 'get_weather', args: { city } },
  ...(signed ? { thoughtSignature: 'skip_thought_signature_validator' } : {}),
});
const fnResponse = (id: string, response: unknown) => ({
  functionResponse: { id, name: 'get_weather', response },
});

const GEMINI_CONTENTS = [
  { role: 'user', parts: [{ text: QUESTION }] },
  { role: 'model', parts: [fnCall('call_paris', 'Paris', true)] },
  { role: 'user', parts: [fnResponse('call_paris', { temp_c: 18, sky: 'cloudy' })] },
  {
    role: 'model',
    parts: [
      { text: NEXT_STEP },
      fnCall('call_rome', 'Rome', true),
      fnCall('call_oslo', 'Oslo', false),
    ],
  },
  {
    role: 'user',
    parts: [
      fnResponse('call_rome', { content: 'Sunny, 24 C' }),
      fnResponse('call_oslo', { content: 'Snow, -3 C' }),
    ],
  },
];

const toolUse = (id: string, city: string) => ({
  toolUse: { toolUseId: id, name: 'get_weather', input: { city } },
});
const toolResult = (id: string, text: string) => ({
  toolResult: { toolUseId: id, content: [{ text }] },
});

const BEDROCK_MESSAGES = [
  { role: 'user', content: [{ text: QUESTION }] },
  { role: 'assistant', content: [toolUse('call_paris', 'Paris')] },
  { role: 'user', content: [toolResult('call_paris', PARIS)] },
  {
    role: 'assistant',
    content: [{ text: NEXT_STEP }, toolUse('call_rome', 'Rome'), toolUse('call_oslo', 'Oslo')],
  },
  {
    role: 'user',
    content: [toolResult('call_rome', 'Sunny, 24 C'), toolResult('call_oslo', 'Snow, -3 C')],
  },
];

interface VendorCase {
  readonly deployment: string;
  readonly server: (f: Fleet) => { requests: RecordedRequest[] };
  /** What the vendor must have received, from the recorded request body. */
  readonly check: (body: any) => void;
}

const openAiShaped = (body: any) => assert.deepEqual(body.messages, HISTORY);

const CASES: VendorCase[] = [
  { deployment: 'openai-chat', server: (f) => f.openai, check: openAiShaped },
  { deployment: 'azure-chat', server: (f) => f.azure, check: openAiShaped },
  { deployment: 'vllm-chat', server: (f) => f.vllm, check: openAiShaped },
  {
    deployment: 'anthropic-chat',
    server: (f) => f.anthropic,
    check: (body) => {
      assert.equal(body.system, SYSTEM);
      assert.deepEqual(body.messages, ANTHROPIC_MESSAGES);
    },
  },
  {
    deployment: 'gemini-chat',
    server: (f) => f.gemini,
    check: (body) => {
      assert.deepEqual(body.systemInstruction, { parts: [{ text: SYSTEM }] });
      assert.deepEqual(body.contents, GEMINI_CONTENTS);
    },
  },
  {
    deployment: 'bedrock-chat',
    server: (f) => f.bedrock,
    check: (body) => {
      assert.deepEqual(body.system, [{ text: SYSTEM }]);
      assert.deepEqual(body.messages, BEDROCK_MESSAGES);
    },
  },
];

describe('OpenAI façade: tool calls in the history reach each vendor intact', () => {
  let fleet: Fleet;
  let gw: Gateway;
  let client: OpenAI;

  before(async () => {
    fleet = await startFleet();
    // The fleet's chat deployments, declared able to take tools.
    const config = JSON.parse(fleet.config);
    for (const d of config.deployments) if (d.class === 'llm') d.capabilities = ['tools'];
    gw = await startGateway({
      config: JSON.stringify(config),
      apps: ['ingest-api', 'worker-llm'],
      env: { ...FLEET_ENV },
    });
    const key = await gw.tenantKey('acme', ['jobs:write', 'jobs:read'], true);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await fleet?.close();
  });

  for (const c of CASES) {
    it(`${c.deployment}: the upstream receives the tool calls and their results`, async () => {
      const res = await client.chat.completions.create({
        model: deployment(c.deployment).alias,
        messages: HISTORY,
        tools: TOOLS,
      });
      assert.equal(res.choices[0].message.content, FAKE_REPLY);
      const sent = c
        .server(fleet)
        .requests.filter((r) => JSON.stringify(r.body).includes(NEXT_STEP));
      assert.equal(sent.length, 1, 'one upstream call, accepted at once');
      c.check(sent[0].body);
    });
  }

  it('streams an answer to a tool history too', async () => {
    const stream = await client.chat.completions.create({
      model: deployment('anthropic-chat').alias,
      messages: HISTORY,
      tools: TOOLS,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, FAKE_REPLY);
    const sent = fleet.anthropic.requests.filter((r) => r.body?.stream === true);
    assert.deepEqual(sent.at(-1)?.body.messages, ANTHROPIC_MESSAGES);
  });

  it('refuses a tool message without tool_call_id, naming the field', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: deployment('openai-chat').alias,
        messages: [
          { role: 'user', content: QUESTION },
          { role: 'tool', content: 'orphan' } as unknown as OpenAI.ChatCompletionMessageParam,
        ],
      }),
      (e: unknown) => {
        assert.ok(e instanceof BadRequestError);
        assert.equal(e.param, 'messages.1.tool_call_id');
        return true;
      },
    );
  });

  it('fails with a clear 400 when arguments a vendor must parse are not a JSON object', async () => {
    const broken = structuredClone(HISTORY);
    (broken[2] as OpenAI.ChatCompletionAssistantMessageParam).tool_calls![0] = {
      ...call('call_paris', 'Paris'),
      function: { name: 'get_weather', arguments: '{"city": Paris' },
    };
    await assert.rejects(
      client.chat.completions.create({
        model: deployment('anthropic-chat').alias,
        messages: broken,
        tools: TOOLS,
      }),
      (e: unknown) => {
        assert.ok(e instanceof BadRequestError, String(e));
        assert.match(e.message, /tool call "call_paris" are not a JSON object/);
        return true;
      },
    );
  });
});
