import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { randomId } from './random-pool';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C `traceparent` header; anything malformed (or all-zero ids) is ignored. */
export function parseTraceparent(header: string | undefined): SpanContext | undefined {
  const m = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return undefined;
  return { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16), isRemote: true };
}

/** The W3C `traceparent` of a span, to hand to the next hop (job data, Kafka headers). */
export function traceparentOf(span: Span): string {
  const c = span.spanContext();
  const flags = (c.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${c.traceId}-${c.spanId}-${flags}`;
}

/** The trace id inside a `traceparent`, for log lines. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}

let provider: NodeTracerProvider | undefined;
/** Whether any span processor takes spans; without one a span only has to carry its ids. */
let exporting = false;

/** Ids of a span nobody exports: a child of `parent` (or a new trace), sampled like it. */
function idsOnlySpan(parent: SpanContext | undefined): Span {
  const ids = randomId(parent ? 8 : 24).toString('hex');
  return trace.wrapSpanContext({
    traceId: parent?.traceId ?? ids.slice(16),
    spanId: ids.slice(0, 16),
    traceFlags: parent?.traceFlags ?? TraceFlags.SAMPLED,
  });
}

/** The parent a new span continues: the given one, else the active span's. */
function parentOf(given: SpanContext | undefined): SpanContext | undefined {
  if (given) return given;
  const active = trace.getActiveSpan()?.spanContext();
  return active && trace.isSpanContextValid(active) ? active : undefined;
}

/**
 * Sets up tracing for a process. Spans are always created (so ids propagate), but exported
 * only when an OTLP endpoint is configured or a test passes its own exporter.
 */
export function initTracing(
  app: string,
  opts: { otlpEndpoint?: string; exporter?: SpanExporter } = {},
): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = [];
  if (opts.exporter) spanProcessors.push(new SimpleSpanProcessor(opts.exporter));
  if (opts.otlpEndpoint) {
    const url = `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  exporting = spanProcessors.length > 0;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `ai-gateway-${app}` }),
    spanProcessors,
  });
  provider.register();
}

/** Flushes and stops span export (shutdown). */
export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown().catch(() => undefined);
  provider = undefined;
  exporting = false;
}

/**
 * Starts a span whose parent is the given `traceparent` (a new trace when absent or
 * malformed). The caller ends it, or uses {@link inSpan}.
 */
export function startSpan(
  name: string,
  parent: string | undefined,
  attributes: Attributes = {},
  kind: SpanKind = SpanKind.INTERNAL,
): Span {
  const sc = parseTraceparent(parent);
  // Recording a span nobody exports costs more than the request it traces; its ids still
  // propagate (headers, job data, log lines).
  if (!exporting) return idsOnlySpan(parentOf(sc));
  const parentCtx = sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : context.active();
  return trace.getTracer('ai-gateway').startSpan(name, { kind, attributes }, parentCtx);
}

/** Runs `fn` inside a child span of the active one, recording errors. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!exporting) {
    const ids = idsOnlySpan(parentOf(undefined));
    return context.with(trace.setSpan(context.active(), ids), () => fn(ids));
  }
  const span = trace.getTracer('ai-gateway').startSpan(name, { attributes });
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (e) {
    span.recordException(e as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
    throw e;
  } finally {
    span.end();
  }
}

/**
 * Records a finished operation as a child of the active span, after the fact: used where the
 * timing is known only when the operation has ended (e.g. a provider call reported to an
 * observer).
 */
export function recordSpan(
  name: string,
  attributes: Attributes,
  durationMs: number,
  errorMessage?: string,
): void {
  if (!exporting) return;
  const end = Date.now();
  const span = trace
    .getTracer('ai-gateway')
    .startSpan(name, { attributes, startTime: end - durationMs, kind: SpanKind.CLIENT });
  if (errorMessage) span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage });
  span.end(end);
}

/** Runs `fn` with `span` as the active span, so child spans and logs can find it. */
export function withActiveSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

export { SpanKind, SpanStatusCode, propagation, type Span };

/** The trace id of the active span, for log lines. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span ? span.spanContext().traceId : undefined;
}
