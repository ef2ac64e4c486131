import type { TaskInput, TaskOutput } from '@gateway/contracts';
import { contentStems, countWords, splitSentences, truncateWords } from './local-text';

interface Scored {
  readonly index: number;
  readonly text: string;
  readonly words: number;
  readonly score: number;
}

/**
 * Scores sentences by how many of the text's frequent content words they carry
 * (term frequency normalised by the most frequent term, damped by sentence length so long
 * sentences do not win by size alone), plus a bonus for early position, where writers put
 * their main point.
 */
export function scoreSentences(sentences: readonly string[]): Scored[] {
  const stems = sentences.map(contentStems);
  const freq = new Map<string, number>();
  for (const list of stems) for (const s of list) freq.set(s, (freq.get(s) ?? 0) + 1);
  let maxFreq = 1;
  for (const f of freq.values()) if (f > maxFreq) maxFreq = f;

  const raw = stems.map((list) => {
    if (list.length === 0) return 0;
    let sum = 0;
    for (const s of list) sum += (freq.get(s) ?? 0) / maxFreq;
    return sum / Math.sqrt(list.length);
  });
  const top = Math.max(...raw, 1e-9);
  const n = sentences.length;
  return sentences.map((text, index) => {
    const words = countWords(text);
    const position = 0.15 * (1 - index / n) + (index === 0 ? 0.1 : 0);
    // Fragments ("Thanks.", headings) rarely carry the point of a text.
    const shortPenalty = words < 4 ? 0.5 : 1;
    return { index, text, words, score: (raw[index] / top + position) * shortPenalty };
  });
}

/** Sentences scoring under this share of the best one are never picked to fill a budget. */
const MIN_RELATIVE_SCORE = 0.5;

/** Sentences kept when the caller sets no word budget: about a third, between 1 and 7. */
function defaultSentenceCount(n: number): number {
  return Math.min(7, Math.max(1, Math.ceil(n / 3)));
}

/**
 * Extractive summary: the best-scoring sentences, in their original order. With `maxWords`
 * it fills the word budget greedily by score (never more than half the sentences, so a
 * generous budget still yields a summary rather than the text); a first choice longer than
 * the whole budget is cut to it.
 */
export function summarize(input: TaskInput<'summarize'>): TaskOutput<'summarize'> {
  const sentences = splitSentences(input.text);
  if (sentences.length === 0) return { summary: '' };
  const ranked = scoreSentences(sentences).sort((a, b) => b.score - a.score || a.index - b.index);
  const chosen: Scored[] = [];
  if (input.maxWords === undefined) {
    chosen.push(...ranked.slice(0, defaultSentenceCount(sentences.length)));
  } else {
    const cap = Math.max(1, Math.ceil(sentences.length / 2));
    // A small budget is better spent on the start of a key sentence than on a trivial one.
    const floor = ranked[0].score * MIN_RELATIVE_SCORE;
    let budget = input.maxWords;
    for (const s of ranked) {
      if (chosen.length >= cap || budget <= 0 || s.score < floor) break;
      if (s.words <= budget) {
        chosen.push(s);
        budget -= s.words;
      }
    }
    if (chosen.length === 0) return { summary: truncateWords(ranked[0].text, input.maxWords) };
  }
  chosen.sort((a, b) => a.index - b.index);
  return { summary: chosen.map((s) => s.text).join(' ') };
}
