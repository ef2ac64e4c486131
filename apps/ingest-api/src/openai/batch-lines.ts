import { ChatCompletionRequest, EmbeddingsRequest } from './chat.schema';

/** Endpoints a batch line may call. */
export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

/** One validated input line. */
export interface BatchLine {
  custom_id: string;
  method: 'POST';
  url: BatchEndpoint;
  body: Record<string, unknown>;
}

export interface LineProblem {
  line: number;
  message: string;
}

/**
 * Validates a batch input file line by line (OpenAI's line format, each body against the
 * endpoint's request schema) and returns it normalised: one line per request, `\n` endings,
 * no blank lines, so byte offsets of lines are exact when the runner resumes mid-file.
 */
export function validateBatchFile(
  text: string,
): { ok: true; normalised: string; lines: number } | { ok: false; problems: LineProblem[] } {
  const problems: LineProblem[] = [];
  const out: string[] = [];
  const ids = new Set<string>();
  const raw = text.split('\n');
  for (let i = 0; i < raw.length && problems.length < 10; i++) {
    const src = raw[i].trim();
    if (!src) continue;
    const line = i + 1;
    let v: unknown;
    try {
      v = JSON.parse(src);
    } catch {
      problems.push({ line, message: 'not valid JSON' });
      continue;
    }
    const problem = checkLine(v, ids);
    if (problem) problems.push({ line, message: problem });
    else out.push(src);
  }
  if (problems.length) return { ok: false, problems };
  if (!out.length)
    return { ok: false, problems: [{ line: 1, message: 'the file has no requests' }] };
  return { ok: true, normalised: out.join('\n') + '\n', lines: out.length };
}

function checkLine(v: unknown, ids: Set<string>): string | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'each line must be a JSON object';
  const l = v as Partial<BatchLine>;
  if (typeof l.custom_id !== 'string' || !l.custom_id || l.custom_id.length > 512)
    return 'custom_id must be a string of 1-512 characters';
  if (ids.has(l.custom_id)) return `custom_id "${l.custom_id}" is used twice`;
  ids.add(l.custom_id);
  if (l.method !== 'POST') return 'method must be "POST"';
  if (!BATCH_ENDPOINTS.includes(l.url as BatchEndpoint))
    return `url must be one of ${BATCH_ENDPOINTS.join(', ')}`;
  if (!l.body || typeof l.body !== 'object') return 'body must be an object';
  const schema = l.url === '/v1/embeddings' ? EmbeddingsRequest : ChatCompletionRequest;
  const r = schema.safeParse(l.body);
  if (!r.success) {
    const i = r.error.issues[0];
    return `body.${i.path.join('.')}: ${i.message}`;
  }
  if (l.url === '/v1/chat/completions' && (l.body as { stream?: unknown }).stream === true)
    return 'stream is not supported in a batch';
  return null;
}
