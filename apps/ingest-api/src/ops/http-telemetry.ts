import {
  metrics,
  SpanKind,
  SpanStatusCode,
  startSpan,
  traceparentOf,
  type Span,
} from '@gateway/observability';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * HTTP metrics and server spans for every request. The route label is the matched route
 * template (never the raw URL), so its values are bounded. The request's `traceparent`
 * header is replaced by the server span's, so everything downstream (job data, events)
 * continues this span.
 */
export function installHttpTelemetry(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (req) => {
    const given = req.headers.traceparent;
    const span = startSpan(
      `${req.method} ${req.routeOptions.url ?? 'unmatched'}`,
      typeof given === 'string' ? given : undefined,
      { 'http.request.method': req.method, 'http.route': req.routeOptions.url ?? 'unmatched' },
      SpanKind.SERVER,
    );
    spans.set(req, span);
    req.headers.traceparent = traceparentOf(span);
  });
  fastify.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics().httpDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    const span = spans.get(req);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  });
}
