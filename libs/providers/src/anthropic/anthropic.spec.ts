import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse } from '../http/error-response.testing';
import message from './fixtures/message.json';
import toolUse from './fixtures/message-tool-use.json';
import streamEvents from './fixtures/stream-events.json';
import errors from './fixtures/errors.json';
import { mapAnthropicError, mapAnthropicStopReason } from './anthropic.errors';
import { AnthropicMessage, AnthropicStreamEvent } from './anthropic.schemas';

describe('anthropic fixtures and mappings', () => {
  it('parses the documented response shapes', () => {
    assert.equal(AnthropicMessage.parse(message).usage.input_tokens, 21);
    assert.equal(AnthropicMessage.parse(toolUse).content[0].type, 'tool_use');
    for (const e of streamEvents) assert.equal(AnthropicStreamEvent.parse(e.data).type, e.event);
  });

  it('maps error types, 529 overloaded and billing', () => {
    const map = (status: number, key: keyof typeof errors) =>
      mapAnthropicError(errorResponse(status, errors[key]), 'p');
    assert.equal(map(529, '529').code, 'overloaded');
    assert.equal(map(529, '529').retryable, true);
    assert.equal(map(402, '402').code, 'quota_exhausted');
    assert.equal(map(402, '402').retryable, false);
    assert.equal(map(400, '400_context_length').code, 'context_length');
    assert.equal(map(413, '413').code, 'invalid_request');
  });

  it('normalises stop reasons', () => {
    assert.deepEqual(
      [
        'end_turn',
        'stop_sequence',
        'max_tokens',
        'tool_use',
        'refusal',
        'model_context_window_exceeded',
        'pause_turn',
      ].map(mapAnthropicStopReason),
      ['stop', 'stop', 'length', 'tool_calls', 'content_filter', 'length', 'stop'],
    );
  });
});
