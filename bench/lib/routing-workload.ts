import { JobRequest } from '@gateway/contracts';
import { rng } from './routing-fixtures';

const WORDS =
  'the order service queue retries payment invoice customer latency region cache token model request response error budget tenant schedule report summary meeting quarter revenue growth forecast risk'.split(
    ' ',
  );
const GREETINGS = [
  'Say hi',
  'Hello!',
  'Thanks, that works.',
  'What time zone is CET?',
  'Translate "good morning" to French',
];
const TOPICS = [
  'a retry policy',
  'a cache eviction bug',
  'a rate limiter',
  'a billing job',
  'a CSV importer',
];

/** The job kinds of the mixed workload and their share of it. */
export const MIX = [
  { kind: 'trivial chat', share: 0.3 },
  { kind: 'short summary', share: 0.2 },
  { kind: 'classification', share: 0.15 },
  { kind: 'explanation', share: 0.15 },
  { kind: 'multi-step reasoning with code', share: 0.2 },
] as const;
export type JobKind = (typeof MIX)[number]['kind'];

function sentence(r: () => number, words: number): string {
  const w = Array.from({ length: words }, () => WORDS[Math.floor(r() * WORDS.length)]);
  return `${w.join(' ')}.`;
}
const paragraph = (r: () => number, sentences: number) =>
  Array.from({ length: sentences }, () => sentence(r, 8 + Math.floor(r() * 10))).join(' ');

function hardPrompt(r: () => number): string {
  const topic = TOPICS[Math.floor(r() * TOPICS.length)];
  const steps = 3 + Math.floor(r() * 4);
  return [
    `Step by step, analyze why ${topic} fails under load and prove the fix is correct.`,
    '```ts',
    `export async function run(jobs: Job[]) { for (const j of jobs) await handle(j); }`,
    '```',
    paragraph(r, 3 + Math.floor(r() * 6)),
    ...Array.from(
      { length: steps },
      (_, i) =>
        `${i + 1}. The change must keep ${WORDS[i]} behaviour exactly; never drop a ${WORDS[i + 3]}.`,
    ),
    'Then compare the trade-offs and list edge cases.',
  ].join('\n');
}

function generate(kind: JobKind, r: () => number): unknown {
  const chat = (content: string, maxTokens?: number) => ({
    task: 'chat',
    input: { messages: [{ role: 'user', content }], ...(maxTokens ? { maxTokens } : {}) },
  });
  switch (kind) {
    case 'trivial chat':
      return chat(GREETINGS[Math.floor(r() * GREETINGS.length)], 64 + Math.floor(r() * 200));
    case 'short summary':
      return {
        task: 'summarize',
        input: { text: paragraph(r, 4 + Math.floor(r() * 8)), maxWords: 30 + Math.floor(r() * 60) },
      };
    case 'classification':
      return {
        task: 'classify',
        input: { text: paragraph(r, 2), labels: ['billing', 'bug', 'question', 'praise'] },
      };
    case 'explanation':
      return chat(
        `Explain how ${TOPICS[Math.floor(r() * TOPICS.length)]} works. ${paragraph(r, 2)}`,
        300 + Math.floor(r() * 500),
      );
    case 'multi-step reasoning with code':
      return chat(hardPrompt(r), 1500 + Math.floor(r() * 2500));
  }
}

/** `n` validated jobs in a fixed, shuffled mix; the same seed gives the same jobs. */
export function mixedWorkload(n: number, seed = 1): { kind: JobKind; job: JobRequest }[] {
  const r = rng(seed);
  const out: { kind: JobKind; job: JobRequest }[] = [];
  for (const { kind, share } of MIX) {
    for (let i = 0; i < Math.round(n * share); i++)
      out.push({ kind, job: JobRequest.parse(generate(kind, r)) });
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
