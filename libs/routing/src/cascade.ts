import type { JobRequest } from '@gateway/contracts';
import { inputOf } from './job-input';
import { maxOutputTokensOf, schemaPropertyCount } from './tokens';

/** Relative weight of each feature in the complexity score (normalised by their sum). */
export interface ComplexityWeights {
  readonly length: number;
  readonly code: number;
  readonly reasoning: number;
  readonly steps: number;
  readonly constraints: number;
  readonly output: number;
  readonly schema: number;
}

/** Tunes `cascade`: feature weights for `scoreComplexity`, and the strong-tier threshold. */
export interface CascadeOptions {
  readonly weights: ComplexityWeights;
  /** Scores at or above it leave the cheapest tier. */
  readonly threshold: number;
}

/** What a caller may tune: weights it leaves out keep their defaults. */
export interface CascadeTuning {
  readonly weights?: Partial<ComplexityWeights>;
  readonly threshold?: number;
}

export const DEFAULT_CASCADE_OPTIONS: CascadeOptions = Object.freeze({
  weights: Object.freeze({
    length: 0.15,
    code: 0.2,
    reasoning: 0.25,
    steps: 0.15,
    constraints: 0.15,
    output: 0.05,
    schema: 0.05,
  }),
  threshold: 0.35,
});

/** Raw measurements behind a score, for logs and tuning. */
export interface ComplexityFeatures {
  readonly chars: number;
  readonly codeBlocks: number;
  readonly reasoningCues: number;
  readonly stepCues: number;
  readonly constraints: number;
  readonly requestedOutputTokens: number;
  readonly schemaProperties: number;
}

export interface ComplexityScore {
  /** 0 (trivial) .. 1 (hard). */
  readonly score: number;
  readonly features: ComplexityFeatures;
}

// Cue scanning is bounded so a 2 MB document costs the same as a 100 kB one.
const SCAN_LIMIT = 100_000;
const REASONING =
  /\b(?:step[- ]by[- ]step|prove|proof|why|derive|reasoning|explain|justify|analy[sz]e|compare|trade-?offs?|evaluate|optimi[sz]e|debug|edge cases?|complexity)\b/gi;
const NUMBERED = /^[ \t]*\d{1,2}[.)][ \t]+\S/gm;
const SEQUENCE = /\b(?:first(?:ly)?|then|next|finally|afterwards|after that)\b/gi;
const CONSTRAINT =
  /\b(?:must|should|shall|exactly|at least|at most|no more than|no less than|only|never|always|ensure|without|do not|don't|required?|within)\b/gi;

const count = (re: RegExp, text: string): number => text.match(re)?.length ?? 0;
const clamp01 = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x);
/** 0 at or below `lo`, 1 at or above `hi`, logarithmic in between. */
const logScale = (x: number, lo: number, hi: number): number =>
  x <= lo ? 0 : clamp01(Math.log(x / lo) / Math.log(hi / lo));

function textOf(request: JobRequest): string {
  switch (request.task) {
    case 'chat':
      return inputOf(request)
        .messages.map((m) =>
          typeof m.content === 'string'
            ? m.content
            : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n'),
        )
        .join('\n');
    case 'summarize':
      return inputOf(request).text;
    case 'extract':
      return inputOf(request).text;
    case 'classify':
      return inputOf(request).text;
    case 'embed': {
      const items = inputOf(request).input;
      return typeof items === 'string' ? items : items.join('\n');
    }
    case 'image.classify':
    case 'image.caption':
    case 'image.ocr':
      return '';
  }
}

function schemaSize(request: JobRequest): number {
  if (request.task === 'extract') return schemaPropertyCount(inputOf(request).schema);
  if (request.task !== 'chat') return 0;
  const { responseFormat: fmt, tools = [] } = inputOf(request);
  return (
    (fmt?.type === 'json_schema' ? schemaPropertyCount(fmt.schema) : 0) +
    tools.reduce((n, t) => n + 1 + schemaPropertyCount(t.parameters), 0)
  );
}

/** Combines normalised features with the weights; weights need not sum to 1. */
export function combine(f: ComplexityFeatures, weights: ComplexityWeights): number {
  const parts: [number, number][] = [
    [weights.length, logScale(f.chars, 400, 12_000)],
    [weights.code, clamp01(f.codeBlocks / 2)],
    [weights.reasoning, clamp01(f.reasoningCues / 4)],
    [weights.steps, clamp01(f.stepCues / 6)],
    [weights.constraints, clamp01(f.constraints / 6)],
    [weights.output, logScale(f.requestedOutputTokens, 256, 4096)],
    [weights.schema, clamp01(f.schemaProperties / 24)],
  ];
  const total = parts.reduce((s, [w]) => s + Math.max(0, w), 0);
  if (total === 0) return 0;
  return clamp01(parts.reduce((s, [w, v]) => s + Math.max(0, w) * v, 0) / total);
}

/**
 * How hard a job looks, from its text alone (no model call): length, fenced code blocks,
 * reasoning cues, multi-step cues (numbered lists, sequencing words), constraint words,
 * requested output size and JSON Schema / tool size. See README "Cascade complexity".
 */
export function scoreComplexity(request: JobRequest, options: CascadeTuning = {}): ComplexityScore {
  const text = textOf(request);
  const scan = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text;
  const fences = count(/```/g, scan);
  const features: ComplexityFeatures = {
    chars: text.length,
    codeBlocks: Math.ceil(fences / 2),
    reasoningCues: count(REASONING, scan),
    stepCues: count(NUMBERED, scan) + count(SEQUENCE, scan),
    constraints: count(CONSTRAINT, scan),
    requestedOutputTokens: maxOutputTokensOf(request),
    schemaProperties: schemaSize(request),
  };
  const weights = options.weights
    ? { ...DEFAULT_CASCADE_OPTIONS.weights, ...options.weights }
    : DEFAULT_CASCADE_OPTIONS.weights;
  return { score: combine(features, weights), features };
}

/**
 * A stand-in score when the caller gave none: only size is known at decision time, so
 * input characters are approximated as four per token and every cue counts as absent.
 */
export function scoreFromTokens(inputTokens: number, maxOutputTokens: number): number {
  return combine(
    {
      chars: inputTokens * 4,
      codeBlocks: 0,
      reasoningCues: 0,
      stepCues: 0,
      constraints: 0,
      requestedOutputTokens: maxOutputTokens,
      schemaProperties: 0,
    },
    DEFAULT_CASCADE_OPTIONS.weights,
  );
}
