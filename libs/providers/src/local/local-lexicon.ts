import { stem } from './local-text';

/**
 * A small built-in lexicon for the classifier: sentiment words, negators, and related
 * words for the labels callers use most. Everything is stored stemmed so lookups meet the
 * stemmed tokens of the text.
 */

function stems(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean).map(stem));
}

export const POSITIVE_WORDS = stems(`
  good great excellent amazing awesome fantastic wonderful love loved lovely like liked enjoy
  happy glad pleased delighted satisfied perfect best better brilliant superb outstanding nice
  helpful recommend impressive beautiful fast easy smooth reliable friendly thank thanks
  grateful excited positive success successful win works worked fixed resolved quick clean
  favourite favorite fun incredible solid pleasant praise appreciate`);

export const NEGATIVE_WORDS = stems(`
  bad terrible awful horrible hate hated dislike poor worst worse broken slow angry annoyed
  disappointed disappointing unhappy sad useless waste problem problems issue issues fail failed
  failure error crash crashed bug buggy refund complaint complain rude expensive difficult hard
  confusing frustrating frustrated negative wrong late missing damaged never lost cancel sucks
  unacceptable dirty painful scam fraud ugly noisy`);

/** Words that flip the polarity of the next few words ("not good"). */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not',
  'no',
  'never',
  'hardly',
  'without',
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "wasn't",
  "aren't",
  "won't",
  "can't",
  'cannot',
  'nothing',
  'neither',
  'nor',
]);

/** Which way a label leans when it names a sentiment. */
export type Polarity = 1 | -1 | 0;

const POLARITY_LABELS: ReadonlyMap<string, Polarity> = new Map([
  ...[...stems('positive good happy praise satisfied pleased favourable favorable pro yes')].map(
    (s) => [s, 1] as const,
  ),
  ...[...stems('negative bad angry complaint unhappy dissatisfied unfavourable con upset')].map(
    (s) => [s, -1 as Polarity] as const,
  ),
  ...[...stems('neutral mixed other unknown none misc miscellaneous general')].map(
    (s) => [s, 0] as const,
  ),
]);

/** The sentiment a label names, if any (looked up by the stems of its words). */
export function labelPolarity(labelStems: readonly string[]): Polarity | undefined {
  for (const s of labelStems) {
    const p = POLARITY_LABELS.get(s);
    if (p !== undefined) return p;
  }
  return undefined;
}

const TOPICS: Record<string, string> = {
  sport:
    'game match team player score goal football soccer basketball tennis league coach win championship tournament olympic',
  politics:
    'government election vote minister president parliament policy party senate law campaign congress',
  technology:
    'software computer app internet ai algorithm device phone code data cloud digital chip startup robot',
  tech: 'software computer app internet ai algorithm device phone code data cloud digital chip',
  business: 'company market revenue profit sales customer deal investor ceo quarter growth startup',
  finance:
    'money bank stock market invest investment loan interest price revenue profit budget tax',
  health:
    'doctor hospital medicine disease patient symptom treatment vaccine health fitness diet pain',
  medical: 'doctor hospital medicine disease patient symptom treatment vaccine prescription',
  science: 'research study experiment scientist physics chemistry biology discovery theory lab',
  entertainment: 'movie film music song actor show concert celebrity album series tv game',
  travel: 'flight hotel trip vacation holiday airport tourist booking destination beach passport',
  food: 'restaurant meal recipe dinner lunch breakfast taste delicious cook chef pizza eat',
  weather: 'rain snow sunny storm temperature forecast wind cloud hot cold climate',
  education: 'school student teacher university course class exam learn study lesson',
  legal: 'law court contract lawyer attorney lawsuit judge legal compliance regulation',
  billing: 'invoice charge payment charged bill refund subscription price card receipt',
  support: 'help issue problem error fix ticket assist question broken',
  question: 'how what why when where who which can could would',
  urgent: 'asap immediately urgent emergency critical now quickly deadline',
  spam: 'free winner prize click offer unsubscribe lottery congratulations viagra bitcoin',
  shipping: 'delivery package shipping tracking courier arrive arrived parcel order',
  delivery: 'delivery package shipping tracking courier arrive arrived parcel order',
  account: 'login password sign account username profile reset locked',
  bug: 'crash error broken exception fails bug glitch freeze',
  feature: 'feature request add support suggestion would like improvement',
  security: 'password breach hack vulnerability phishing attack malware security leak',
  sale: 'buy purchase pricing quote demo discount offer plan upgrade',
};

const TOPIC_STEMS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(TOPICS).map(([k, v]) => [stem(k), stems(v)]),
);

/** Related words (stemmed) for the stems of one label, from the built-in topics. */
export function relatedStems(labelStems: readonly string[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const s of labelStems) {
    const related = TOPIC_STEMS.get(s);
    if (related) for (const r of related) out.add(r);
  }
  return out;
}
