import type { TaskInput, TaskOutput } from '@gateway/contracts';
import {
  labelPolarity,
  NEGATIVE_WORDS,
  NEGATORS,
  POSITIVE_WORDS,
  relatedStems,
  type Polarity,
} from './local-lexicon';
import { STOPWORDS, stem, words } from './local-text';

/** Evidence weights: the label's own words count most, related words and sentiment less. */
const OWN_WORD = 3;
const RELATED_WORD = 1.5;
const SENTIMENT_WORD = 1.5;
const LITERAL_LABEL = 3;
/** A neutral/other label wins when nothing else has evidence. */
const NEUTRAL_PRIOR = 0.6;
/** Additive smoothing, so no label gets exactly 0 and no evidence means uniform scores. */
const SMOOTHING = 0.2;
/** How many words after a negator it still applies to ("not very good"). */
const NEGATION_SPAN = 3;

interface TextFeatures {
  readonly stems: ReadonlyMap<string, number>;
  readonly positive: number;
  readonly negative: number;
  readonly lower: string;
}

function analyse(text: string): TextFeatures {
  const stems = new Map<string, number>();
  let positive = 0;
  let negative = 0;
  let negatedUntil = -1;
  const tokens = words(text);
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i];
    if (NEGATORS.has(w) || w.endsWith("n't")) {
      negatedUntil = i + NEGATION_SPAN;
      continue;
    }
    const s = stem(w);
    stems.set(s, (stems.get(s) ?? 0) + 1);
    const negated = i <= negatedUntil;
    if (POSITIVE_WORDS.has(s)) {
      if (negated) negative++;
      else positive++;
    } else if (NEGATIVE_WORDS.has(s)) {
      if (negated) positive++;
      else negative++;
    }
  }
  return { stems, positive, negative, lower: text.toLowerCase() };
}

function labelEvidence(label: string, f: TextFeatures): number {
  const own = words(label)
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
  const ownSet = new Set(own);
  let raw = 0;
  for (const s of ownSet) raw += OWN_WORD * (f.stems.get(s) ?? 0);
  for (const s of relatedStems(own)) {
    if (!ownSet.has(s)) raw += RELATED_WORD * (f.stems.get(s) ?? 0);
  }
  const trimmed = label.trim().toLowerCase();
  if (trimmed.includes(' ') && f.lower.includes(trimmed)) raw += LITERAL_LABEL;
  const polarity: Polarity | undefined = labelPolarity(own);
  if (polarity === 1) raw += SENTIMENT_WORD * f.positive;
  else if (polarity === -1) raw += SENTIMENT_WORD * f.negative;
  else if (polarity === 0) {
    // Neutral gains when sentiment is absent or balanced.
    raw += NEUTRAL_PRIOR + (f.positive === f.negative ? SENTIMENT_WORD * f.positive : 0);
  }
  return raw;
}

/**
 * Lexicon classifier over the caller's labels. Each label collects evidence from its own
 * words, related words from the built-in lexicon and, for sentiment labels, the polarity
 * of the text (with negation). Scores are the smoothed shares of evidence, summing to 1;
 * duplicate labels are scored once. Ties go to the label listed first.
 */
export function classify(input: TaskInput<'classify'>): TaskOutput<'classify'> {
  const features = analyse(input.text);
  const labels = [...new Set(input.labels)];
  const evidence = labels.map((l) => labelEvidence(l, features) + SMOOTHING);
  const total = evidence.reduce((a, b) => a + b, 0);
  let best = 0;
  const scores: Record<string, number> = {};
  labels.forEach((label, i) => {
    // defineProperty so a label such as "__proto__" becomes a key instead of a prototype.
    Object.defineProperty(scores, label, {
      value: evidence[i] / total,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    if (evidence[i] > evidence[best]) best = i;
  });
  return { label: labels[best], scores };
}
