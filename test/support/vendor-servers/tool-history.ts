/**
 * The checks each vendor makes on a conversation that carries tool calls and their results,
 * so the test servers refuse a malformed tool history with the vendor's 400 as the real APIs
 * do (a tool result that answers no call, a call left unanswered, a result count that does
 * not match). Each returns the problem, or undefined when the history is well formed.
 */
import type { Json, ScriptedResponse } from './vendor-server';

/** The vendor's 400 with the problem as its message (`error.message`, else `message`). */
export function refuse(r: ScriptedResponse, problem: string): ScriptedResponse {
  const json = structuredClone(r.json) as Json;
  if (json?.error && typeof json.error === 'object') json.error.message = problem;
  else json.message = problem;
  return { ...r, json };
}

const ids = (xs: Json[] | undefined, id: (x: Json) => unknown): string[] =>
  (xs ?? []).map((x) => String(id(x)));

/** OpenAI chat: `tool` messages follow the assistant `tool_calls` they answer, one each. */
export function openAiToolHistoryProblem(messages: Json[] | undefined): string | undefined {
  let open: string[] = [];
  for (const m of messages ?? []) {
    if (m?.role === 'tool') {
      if (!open.includes(m.tool_call_id))
        return "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      open = open.filter((id) => id !== m.tool_call_id);
      continue;
    }
    if (open.length)
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${open.join(', ')}`;
    open = m?.role === 'assistant' ? ids(m.tool_calls, (t) => t.id) : [];
  }
  return undefined;
}

/** Blocks of a type in an Anthropic or Bedrock message (string content has none). */
function blocks(m: Json, has: (b: Json) => boolean): Json[] {
  return Array.isArray(m?.content) ? (m.content as Json[]).filter(has) : [];
}

/**
 * Anthropic Messages and Bedrock Converse: every tool use of an assistant turn is answered by
 * a tool result in the next user message, and every tool result answers a use of the turn
 * before it.
 */
function pairedToolTurns(
  messages: Json[] | undefined,
  useId: (b: Json) => string | undefined,
  resultId: (b: Json) => string | undefined,
  vocabulary: { use: string; result: string },
): string | undefined {
  const list = messages ?? [];
  for (let i = 0; i < list.length; i++) {
    const uses = blocks(list[i], (b) => useId(b) !== undefined).map(useId);
    const results = blocks(list[i + 1], (b) => resultId(b) !== undefined).map(resultId);
    const answered = blocks(list[i], (b) => resultId(b) !== undefined).map(resultId);
    const before =
      list[i - 1]?.role === 'assistant'
        ? blocks(list[i - 1], (b) => useId(b) !== undefined).map(useId)
        : [];
    for (const id of answered)
      if (!before.includes(id))
        return `messages.${i}.content: unexpected \`${vocabulary.result}\` id ${id}: each ${vocabulary.result} block must have a corresponding ${vocabulary.use} block in the previous message.`;
    if (list[i]?.role === 'assistant' && uses.length) {
      const missing = uses.filter((id) => !results.includes(id));
      if (missing.length)
        return `messages.${i + 1}: ${vocabulary.use} ids were found without ${vocabulary.result} blocks immediately after: ${missing.join(', ')}`;
    }
  }
  return undefined;
}

export function anthropicToolHistoryProblem(messages: Json[] | undefined): string | undefined {
  return pairedToolTurns(
    messages,
    (b) => (b?.type === 'tool_use' ? String(b.id) : undefined),
    (b) => (b?.type === 'tool_result' ? String(b.tool_use_id) : undefined),
    { use: 'tool_use', result: 'tool_result' },
  );
}

export function bedrockToolHistoryProblem(messages: Json[] | undefined): string | undefined {
  return pairedToolTurns(
    messages,
    (b) => (b?.toolUse ? String(b.toolUse.toolUseId) : undefined),
    (b) => (b?.toolResult ? String(b.toolResult.toolUseId) : undefined),
    { use: 'toolUse', result: 'toolResult' },
  );
}

/**
 * Gemini: a turn of `functionResponse` parts follows the model turn of `functionCall` parts
 * it answers, with as many responses as calls, each named after a called function.
 */
export function geminiToolHistoryProblem(contents: Json[] | undefined): string | undefined {
  const list = contents ?? [];
  for (let i = 0; i < list.length; i++) {
    const parts: Json[] = list[i]?.parts ?? [];
    const responses = parts.filter((p) => p?.functionResponse).map((p) => p.functionResponse);
    if (!responses.length) continue;
    const prev = list[i - 1];
    const calls: Json[] =
      prev?.role === 'model'
        ? (prev.parts ?? []).filter((p: Json) => p?.functionCall).map((p: Json) => p.functionCall)
        : [];
    if (responses.length !== calls.length)
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    for (const r of responses) {
      if (!r.name) return `contents[${i}]: functionResponse.name is required.`;
      if (!calls.some((c) => c.name === r.name))
        return `contents[${i}]: function response ${r.name} does not answer a call of the previous turn.`;
    }
  }
  return undefined;
}
