import { evaluate, findExpression, formatNumber } from './local-arith';
import { summarize } from './local-summarize';
import {
  contentStems,
  countWords,
  splitSentences,
  STOPWORDS,
  truncateWords,
  words,
} from './local-text';

/** The conversation as the rules see it: the last user text and everything said before. */
export interface Conversation {
  readonly last: string;
  /** Earlier text (system prompt, previous turns), oldest first. */
  readonly context: readonly string[];
}

/** One rule: a reply when it applies to the conversation, else undefined. */
type Rule = (c: Conversation) => string | undefined;

const MATH_CUE = /\b(?:what(?:'s| is)|calculate|compute|evaluate|how much is|solve)\b|=\s*\??\s*$/i;

const arithmetic: Rule = ({ last }) => {
  const expr = findExpression(last);
  if (!expr) return undefined;
  // Dates and phone numbers look like subtractions: require a maths cue or a bare expression.
  const bare = expr.replace(/\s/g, '').length >= last.replace(/[\s?=.!]/g, '').length * 0.6;
  if (!bare && !MATH_CUE.test(last)) return undefined;
  const value = evaluate(expr);
  return value === undefined ? undefined : `${expr.replace(/\s+/g, ' ')} = ${formatNumber(value)}`;
};

const UNITS: Record<string, (t: string) => number> = {
  word: countWords,
  character: (t) => [...t].length,
  letter: (t) => (t.match(/\p{L}/gu) ?? []).length,
  vowel: (t) => (t.match(/[aeiouAEIOU]/g) ?? []).length,
  sentence: (t) => splitSentences(t).length,
  line: (t) => t.split(/\r?\n/).length,
};

/** The text a counting question is about: quoted text, else what follows a colon. */
function subject(text: string): string | undefined {
  const quoted = /["“'`‘]([^"”'`’]+)["”'`’]/.exec(text);
  if (quoted) return quoted[1];
  const colon = text.indexOf(':');
  return colon >= 0 ? text.slice(colon + 1).trim() || undefined : undefined;
}

const counting: Rule = ({ last, context }) => {
  const unit = /how many (word|character|letter|vowel|sentence|line)s?\b/i.exec(last);
  if (unit) {
    const name = unit[1].toLowerCase();
    const target = subject(last) ?? context.at(-1) ?? last;
    const n = UNITS[name](target);
    return `There ${n === 1 ? 'is' : 'are'} ${n} ${name}${n === 1 ? '' : 's'} in "${truncateWords(target, 12)}".`;
  }
  const letter =
    /how many (?:times (?:does |is )?)?["'‘]?(\p{L})["'’]?(?:'s|s)?\s+(?:are |appear |occur )*in (?:the word )?["'“‘]?([\p{L}\p{N}-]+)/iu.exec(
      last,
    );
  if (letter) {
    const ch = letter[1].toLowerCase();
    const word = letter[2];
    const n = [...word.toLowerCase()].filter((c) => c === ch).length;
    return `"${word}" contains the letter "${ch}" ${n} time${n === 1 ? '' : 's'}.`;
  }
  return undefined;
};

const summarizeCommand: Rule = ({ last, context }) => {
  const m =
    /^\s*(?:please\s+)?(?:summari[sz]e|tl;?dr)\b[\s:,-]*(?:this|the following)?[\s:]*/i.exec(last);
  if (!m) return undefined;
  const text = last.slice(m[0].length).trim() || context.at(-1);
  if (!text) return 'There is nothing to summarise yet: send the text after "summarize:".';
  return summarize({ text, maxWords: 60 }).summary;
};

const identity: Rule = ({ last }) =>
  /\b(?:who|what) are you\b|\byour name\b/i.test(last)
    ? 'I am the local model of AI Gateway: small deterministic algorithms running inside the gateway, with no vendor behind me. I can count, do arithmetic, summarise, and answer from the text you give me.'
    : undefined;

const GREETING =
  /^\s*(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening)|yo)\b[\s!,.]*/i;

const greeting: Rule = ({ last }) => {
  const m = GREETING.exec(last);
  if (!m || countWords(last.slice(m[0].length)) > 4) return undefined;
  const name = /\b(?:i am|i'm|my name is|this is)\s+(\p{Lu}\p{L}+)/iu.exec(last)?.[1];
  const greet = m[0].trim().replace(/[!,.]+$/, '');
  const word = greet.charAt(0).toUpperCase() + greet.slice(1).toLowerCase();
  return `${word}${name ? `, ${name}` : ''}! I am the local model of AI Gateway. How can I help?`;
};

const QUESTION = /\?\s*$|^\s*(?:who|what|when|where|why|how|which|is|are|does|do|can)\b/i;

/** Answers a question with the earlier sentence sharing the most content words with it. */
const question: Rule = ({ last, context }) => {
  if (!QUESTION.test(last)) return undefined;
  const asked = new Set(contentStems(last));
  const lastSentences = splitSentences(last);
  const pool = [
    ...context.flatMap(splitSentences),
    ...lastSentences.filter((s) => !QUESTION.test(s)),
  ];
  let best: string | undefined;
  let bestScore = 0;
  for (const s of pool) {
    const stems = contentStems(s);
    const overlap = stems.filter((x) => asked.has(x)).length;
    const score = overlap / Math.sqrt(stems.length || 1);
    if (overlap > 0 && score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  if (best) return `From what you wrote: ${best}`;
  return `You asked: "${truncateWords(last, 30)}" I can only answer from the text in this conversation, and nothing in it answers that.`;
};

/** Fallback: acknowledge the message with what can be computed about it. */
const statement: Rule = ({ last }) => {
  const terms = [...new Set(words(last).filter((w) => w.length > 3 && !STOPWORDS.has(w)))].slice(
    0,
    5,
  );
  const n = countWords(last);
  return `You said: "${truncateWords(last, 30)}" (${n} word${n === 1 ? '' : 's'}${terms.length ? `; key terms: ${terms.join(', ')}` : ''}).`;
};

/** Rules in priority order; the first that applies answers. */
const RULES: readonly Rule[] = [
  arithmetic,
  counting,
  summarizeCommand,
  greeting,
  identity,
  question,
  statement,
];

/** The rule-based reply to the last user message. */
export function ruleReply(c: Conversation): string {
  if (!c.last.trim()) return 'Your message is empty: send some text and I will answer it.';
  for (const rule of RULES) {
    const reply = rule(c);
    if (reply !== undefined) return reply;
  }
  return '';
}
