import type { TaskOutput, Usage } from '@gateway/contracts';
import type { ChatStreamEvent } from '../provider-adapter';
import { pause, type Deadline } from './local-timing';

/** Reply pieces of one word each, with the whitespace that follows it: they concatenate back to the reply. */
export function wordPieces(text: string): string[] {
  const pieces = text.match(/\s*\S+\s*/g) ?? [];
  return pieces.length ? pieces : text ? [text] : [];
}

/**
 * Streams a finished chat answer as word deltas, spreading the remaining simulated latency
 * evenly between them (so time to first token is a share of the latency, as with a real
 * model), then `done` with the finish reason and usage.
 */
export async function* chatStream(
  result: { readonly output: TaskOutput<'chat'>; readonly usage: Usage },
  latencyBudgetMs: number,
  signal: AbortSignal,
  deadline: Deadline,
): AsyncGenerator<ChatStreamEvent> {
  const pieces = wordPieces(result.output.message.content);
  const step = pieces.length ? latencyBudgetMs / pieces.length : 0;
  let due = Date.now();
  for (const text of pieces) {
    if (step > 0) {
      // Pace against a running schedule so timer drift does not add up over many words.
      due += step;
      await pause(due - Date.now(), signal, deadline);
    } else if (signal.aborted) {
      await pause(0, signal, deadline);
    }
    yield { type: 'delta', text };
  }
  if (!pieces.length && latencyBudgetMs > 0) await pause(latencyBudgetMs, signal, deadline);
  yield { type: 'done', finishReason: result.output.finishReason, usage: result.usage };
}
