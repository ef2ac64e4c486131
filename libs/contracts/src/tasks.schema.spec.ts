import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatInput } from './tasks.schema';

const call = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };

describe('ChatInput tool history', () => {
  it('keeps an assistant turn’s tool calls and the tool result that answers them', () => {
    const input = {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [call] },
        { role: 'tool', toolCallId: 'call_1', content: '{"temp_c":18}' },
      ],
    };
    assert.deepEqual(ChatInput.parse(input), input);
  });

  it('refuses tool calls on a message that is not the assistant’s', () => {
    const r = ChatInput.safeParse({
      messages: [{ role: 'user', content: 'x', toolCalls: [call] }],
    });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0].path, ['messages', 0, 'toolCalls']);
    assert.match(r.error?.issues[0].message ?? '', /only assistant messages/);
  });

  it('refuses an empty tool call list and a call without an id', () => {
    for (const toolCalls of [[], [{ ...call, id: '' }]]) {
      const r = ChatInput.safeParse({ messages: [{ role: 'assistant', content: '', toolCalls }] });
      assert.equal(r.success, false, JSON.stringify(toolCalls));
    }
  });
});
