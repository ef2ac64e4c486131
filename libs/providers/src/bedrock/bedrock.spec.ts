import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse } from '../http/error-response.testing';
import converse from './fixtures/converse.json';
import toolUse from './fixtures/converse-tool-use.json';
import streamEvents from './fixtures/converse-stream-events.json';
import errors from './fixtures/errors.json';
import { ProviderConfig } from '@gateway/config';
import { bedrockModelUrl } from './bedrock.adapter';
import { bedrockErrorType, mapBedrockError, mapBedrockStopReason } from './bedrock.errors';
import { ConverseResponse } from './bedrock.schemas';
import { decodeAwsEventStream, encodeAwsEvent } from './bedrock.stream';

describe('bedrock fixtures and mappings', () => {
  it('parses the documented response shapes', () => {
    assert.equal(ConverseResponse.parse(converse).usage.outputTokens, 7);
    assert.equal(
      ConverseResponse.parse(toolUse).output.message.content[0].toolUse?.name,
      'classification',
    );
  });

  it('decodes event-stream frames split at any byte', async () => {
    const frames = streamEvents.map((e) => encodeAwsEvent(e.messageType, e.eventType, e.payload));
    const bytes = Buffer.concat(frames);
    async function* dribble() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const decoded = [];
    for await (const e of decodeAwsEventStream(dribble())) decoded.push(e);
    assert.deepEqual(
      decoded.map((e) => [e.messageType, e.name]),
      streamEvents.map((e) => [e.messageType, e.eventType]),
    );
    assert.deepEqual(JSON.parse(decoded[1].payload), streamEvents[1].payload);
  });

  it('reads the type from x-amzn-ErrorType up to its colon, else from __type', () => {
    const headers = {
      'x-amzn-errortype':
        'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    };
    assert.equal(bedrockErrorType({ headers, json: {} }), 'ThrottlingException');
    assert.equal(
      bedrockErrorType({ headers: {}, json: { __type: 'com.amazon#ValidationException' } }),
      'ValidationException',
    );
    const map = (status: number, key: keyof typeof errors) => {
      const e = errors[key];
      return mapBedrockError(errorResponse(status, e.body, { 'x-amzn-errortype': e.type }), 'p')
        .code;
    };
    assert.equal(map(429, '429'), 'rate_limited');
    assert.equal(map(429, '429_not_ready'), 'overloaded');
    assert.equal(map(400, '400_context_length'), 'context_length');
    assert.equal(map(403, '403_unrecognized'), 'auth');
    assert.equal(map(408, '408'), 'timeout');
  });

  it('normalises stop reasons', () => {
    assert.deepEqual(
      [
        'end_turn',
        'max_tokens',
        'tool_use',
        'guardrail_intervened',
        'content_filtered',
        'stop_sequence',
      ].map(mapBedrockStopReason),
      ['stop', 'length', 'tool_calls', 'content_filter', 'content_filter', 'stop'],
    );
  });

  it('targets the regional endpoint unless baseUrl overrides it, with the modelId encoded', () => {
    const p = ProviderConfig.parse({ id: 'b', type: 'bedrock', region: 'eu-west-3' });
    assert.equal(
      bedrockModelUrl(p, 'anthropic.claude-3-haiku-20240307-v1:0', 'converse'),
      'https://bedrock-runtime.eu-west-3.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
    );
    const local = ProviderConfig.parse({
      id: 'b',
      type: 'bedrock',
      baseUrl: 'http://127.0.0.1:9000/',
    });
    assert.equal(
      bedrockModelUrl(local, 'm', 'converse-stream'),
      'http://127.0.0.1:9000/model/m/converse-stream',
    );
  });
});
