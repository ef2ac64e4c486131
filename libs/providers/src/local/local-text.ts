/**
 * Text primitives shared by the local task algorithms: tokenising, a light stemmer,
 * stop words and sentence splitting. Pure and allocation-light: they run on the hot path.
 */

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Lower-cased word tokens, apostrophes kept inside words ("don't"). */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Number of whitespace-separated words, the unit `maxWords` is measured in. */
export function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m ? m.length : 0;
}

export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto over under as is ' +
    'am are was were be been being it its this that these those there here i me my we our you your ' +
    'he him his she her they them their what which who whom whose when where why how not no so ' +
    'do does did done have has had having will would shall should can could may might must just ' +
    'than too very also about after before again all any both each few more most other some such ' +
    "only own same up down out off once s t don’t don't can’t can't won't let us per via"
  ).split(/\s+/),
);

const KEEP_DOUBLE = new Set(['l', 's', 'z']);

/**
 * A small suffix-stripping stemmer. It only needs to make inflections of one word meet
 * (love/loved/loving, happy/happiness/happily, run/running), not to produce real roots.
 */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, '');
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (/(?:ches|shes|xes|zes)$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.slice(0, -1);
  }
  for (const suffix of ['ingly', 'edly', 'fully', 'ness', 'ment', 'ing', 'ed', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      const last = w[w.length - 1];
      if (last === w[w.length - 2] && /[^aeiou]/.test(last) && !KEEP_DOUBLE.has(last)) {
        w = w.slice(0, -1);
      }
      break;
    }
  }
  if (w.endsWith('y') && w.length > 3) w = `${w.slice(0, -1)}i`;
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** Stems of the words that carry meaning (stop words and 1-letter tokens dropped). */
export function contentStems(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    if (w.length > 1 && !STOPWORDS.has(w)) out.push(stem(w));
  }
  return out;
}

const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'inc',
  'ltd',
  'co',
  'corp',
  'no',
  'fig',
  'approx',
  'dept',
  'est',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'u.s',
  'a.m',
  'p.m',
]);

// A boundary is end punctuation, optional closing quotes, whitespace, then something that
// can start a sentence; the abbreviation check below vetoes "Dr. Smith" and "e.g. this".
const BOUNDARY = /([.!?…]+)(["'”’)\]]*)\s+(?=["'“‘(\[]?[\p{Lu}\p{N}])/gu;

/** Splits text into sentences; blank lines and list items always end a sentence. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)/)) {
    const para = block.replace(/\s+/g, ' ').trim();
    if (!para) continue;
    let start = 0;
    BOUNDARY.lastIndex = 0;
    for (let m = BOUNDARY.exec(para); m; m = BOUNDARY.exec(para)) {
      if (m[1] === '.') {
        const before = para.slice(start, m.index).split(' ').pop()!.toLowerCase();
        if (ABBREVIATIONS.has(before) || /^\p{L}$/u.test(before)) continue;
      }
      const end = m.index + m[1].length + m[2].length;
      out.push(para.slice(start, end).trim());
      start = BOUNDARY.lastIndex;
    }
    const rest = para.slice(start).trim();
    if (rest) out.push(rest);
  }
  return out;
}

/** Splits camelCase, snake_case and kebab-case names into lower-case words. */
export function nameWords(name: string): string[] {
  return words(name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' '));
}

/** Cuts text to at most `max` words, marking the cut. */
export function truncateWords(text: string, max: number): string {
  const parts = text.trim().split(/\s+/);
  if (parts.length <= max) return text.trim();
  return `${parts.slice(0, max).join(' ')}…`;
}
