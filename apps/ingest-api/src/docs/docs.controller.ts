import { Controller, Get, Header } from '@nestjs/common';
import { buildOpenApi } from './openapi';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The OpenAPI document and a self-contained docs page (no external assets). */
@Controller()
export class DocsController {
  private readonly doc = buildOpenApi();

  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return this.doc;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  docs(): string {
    const paths = this.doc.paths as Record<string, Record<string, { summary?: string }>>;
    const rows = Object.entries(paths)
      .flatMap(([p, ops]) =>
        Object.entries(ops).map(
          ([m, op]) =>
            `<tr><td><code>${m.toUpperCase()}</code></td><td><code>${escape(p)}</code></td><td>${escape(op.summary ?? '')}</td></tr>`,
        ),
      )
      .join('\n');
    return `<!doctype html><html><head><meta charset="utf-8"><title>AI Gateway API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}td{padding:.3rem .8rem;border-bottom:1px solid #ddd}pre{background:#f6f6f6;padding:1rem;overflow:auto}</style></head>
<body><h1>AI Gateway API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>.</p>
<table>${rows}</table><h2>Job request schema</h2><pre>${escape(JSON.stringify((this.doc.components as { schemas: Record<string, unknown> }).schemas.JobRequest, null, 2))}</pre></body></html>`;
  }
}
