/** Bedrock and Cloud Vision specifics beyond the conformance table. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ProviderConfig } from '@gateway/config';
import type { ProviderAdapter } from '../../libs/providers/src/provider-adapter';
import { ProviderError } from '../../libs/providers/src/provider-error';
import { bedrockAdapterFactory } from '../../libs/providers/src/bedrock/bedrock.adapter';
import { googleVisionAdapterFactory } from '../../libs/providers/src/google-vision/google-vision.adapter';
import {
  BEDROCK_TEST_CREDENTIALS,
  bedrockStreamException,
  startBedrockServer,
  type BedrockServer,
} from '../support/vendor-servers/bedrock.server';
import {
  startGoogleVisionServer,
  type GoogleVisionServer,
} from '../support/vendor-servers/google-vision.server';
import { PNG_BASE64 } from '../support/vendor-servers/conformance-cases';
import { chat, context, drain, rejectsWith } from './provider-test-helpers';

const MODEL =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';

describe('bedrock adapter specifics', () => {
  let server: BedrockServer;
  const make = (extra: Record<string, unknown> = BEDROCK_TEST_CREDENTIALS) =>
    bedrockAdapterFactory.create(
      ProviderConfig.parse({
        id: 'br',
        type: 'bedrock',
        baseUrl: server.baseUrl,
        region: 'us-east-1',
        ...extra,
      }),
    );
  let adapter: ProviderAdapter;
  const ctx = () => context('br', MODEL, ['chat', 'extract']);
  before(async () => {
    server = await startBedrockServer();
    adapter = make();
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });
  beforeEach(() => server.reset());

  it('URL-encodes an ARN model id (slashes and colons) and still signs correctly', async () => {
    await adapter.call('chat', chat('hi'), ctx());
    assert.equal(server.requests[0].path, `/model/${encodeURIComponent(MODEL)}/converse`);
    assert.match(server.requests[0].path, /inference-profile%2Fus\.anthropic.*v1%3A0/);
  });

  it('fails as auth, without leaking the secret, when the signature is wrong', async () => {
    const wrong = make({ accessKeyId: 'AKIDTESTBEDROCK', secretAccessKey: 'not-the-secret-key' });
    try {
      await assert.rejects(wrong.call('chat', chat('hi'), ctx()), (e: unknown) => {
        rejectsWith('auth', false)(e);
        assert.ok(!(e as ProviderError).message.includes('not-the-secret-key'));
        return true;
      });
    } finally {
      await wrong.close();
    }
  });

  it('sends the session token of temporary credentials', async () => {
    const temp = make({ ...BEDROCK_TEST_CREDENTIALS, sessionToken: 'session-token-1' });
    try {
      await temp.call('chat', chat('hi'), ctx());
      assert.equal(server.requests[0].headers['x-amz-security-token'], 'session-token-1');
    } finally {
      await temp.close();
    }
  });

  it('extracts through toolConfig with a forced tool', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const result = await adapter.call('extract', { text: 'Paris', schema }, ctx());
    assert.deepEqual(result.output, { data: { city: 'sample' } });
    const { toolConfig } = server.requests[0].body;
    assert.deepEqual(toolConfig.toolChoice, { tool: { name: 'extraction' } });
    assert.deepEqual(toolConfig.tools[0].toolSpec.inputSchema, { json: schema });
  });

  it('maps an exception frame mid-stream (throttlingException) to rate_limited', async () => {
    server.script(bedrockStreamException('throttlingException', 'Too many tokens, please wait.'));
    await assert.rejects(
      drain(adapter.streamChat!(chat('hi'), ctx())),
      rejectsWith('rate_limited', true),
    );
  });

  it('counts a Bedrock API key as credentials and sends it as a bearer token', async () => {
    assert.equal(
      bedrockAdapterFactory.hasCredentials(
        ProviderConfig.parse({ id: 'b', type: 'bedrock', apiKey: 'x' }),
      ),
      true,
    );
    assert.equal(
      bedrockAdapterFactory.hasCredentials(
        ProviderConfig.parse({ id: 'b', type: 'bedrock', accessKeyId: 'a' }),
      ),
      false,
    );
    const keyed = make({ apiKey: 'bedrock-api-key' });
    try {
      await keyed.call('chat', chat('hi'), ctx());
      assert.equal(server.requests[0].headers.authorization, 'Bearer bedrock-api-key');
    } finally {
      await keyed.close();
    }
  });
});

describe('google-vision adapter specifics', () => {
  let server: GoogleVisionServer;
  let adapter: ProviderAdapter;
  const image = { base64: PNG_BASE64, mediaType: 'image/png' as const };
  before(async () => {
    server = await startGoogleVisionServer();
    adapter = googleVisionAdapterFactory.create(
      ProviderConfig.parse({
        id: 'gv',
        type: 'google-vision',
        baseUrl: server.baseUrl,
        apiKey: 'k',
      }),
    );
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });
  beforeEach(() => server.reset());

  it('lists labels with scores when no candidate labels are given', async () => {
    const result = await adapter.call(
      'image.classify',
      { image },
      context('gv', 'builtin/stable', ['image.classify']),
    );
    assert.deepEqual(result.output.labels[0], { label: 'Cat', score: 0.98 });
    assert.equal(result.output.labels.length, 3);
    assert.deepEqual(server.requests[0].body.requests[0].features, [
      { type: 'LABEL_DETECTION', maxResults: 10 },
    ]);
  });

  it('uses DOCUMENT_TEXT_DETECTION for a "document" model and imageUri for URLs', async () => {
    await adapter.call(
      'image.ocr',
      { image: { url: 'https://example.com/scan.png' } },
      context('gv', 'document-text', ['image.ocr']),
    );
    assert.deepEqual(server.requests[0].body.requests[0], {
      image: { source: { imageUri: 'https://example.com/scan.png' } },
      features: [{ type: 'DOCUMENT_TEXT_DETECTION' }],
    });
  });

  it('maps a per-image error inside a 200 answer', async () => {
    server.scriptError(200, 'bad_image');
    await assert.rejects(
      adapter.call('image.ocr', { image }, context('gv', 'builtin/stable', ['image.ocr'])),
      rejectsWith('invalid_request', false),
    );
  });

  it('refuses tasks it does not serve', async () => {
    await assert.rejects(
      adapter.call('chat', chat('hi'), context('gv', 'builtin/stable')),
      rejectsWith('invalid_request', false),
    );
  });
});
