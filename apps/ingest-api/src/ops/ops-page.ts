import type { TenantConfig } from '@gateway/config';
import type { QueueStats } from '@gateway/platform';
import type { FailedEntry } from '@gateway/queue';

/** Escapes text for HTML: every value on the page goes through this. */
export const esc = (v: string | number | null | undefined): string =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const ms = (v: number | null) => (v === null ? '–' : `${v} ms`);
const pctText = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
th{background:#f3f3f3}.paused{color:#b00;font-weight:bold}nav a{margin-right:1rem}`;

function page(title: string, body: string, refreshSec?: number): string {
  const refresh = refreshSec ? `<meta http-equiv="refresh" content="${refreshSec}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}
<title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The login form: posts the admin key, which comes back as an HttpOnly cookie. */
export function loginPage(next: string, failed: boolean): string {
  return page(
    'AI Gateway admin login',
    `<h1>AI Gateway admin</h1>${failed ? '<p class="paused" id="login-error">Wrong admin key.</p>' : ''}
<form method="post" action="/admin/login"><input type="hidden" name="next" value="${esc(next)}">
<label>Admin key <input type="password" name="key" id="key" autocomplete="current-password" required></label>
<button type="submit" id="login">Sign in</button></form>`,
  );
}

/** A tenant with what it spent (UTC day and month) and its rate-limit refusals today. */
export interface TenantActivity {
  readonly tenant: TenantConfig;
  readonly todayUsd: number;
  readonly monthUsd: number;
  readonly rateLimitHits: number;
}

/** What the ops page shows; gathered by the route, rendered here. */
export interface OpsView {
  readonly queues: readonly QueueStats[];
  readonly tenants: readonly TenantActivity[];
  readonly failures: readonly FailedEntry[];
  readonly generatedAt: string;
}

function deploymentRow(q: QueueStats): string {
  const action = q.paused ? 'resume' : 'pause';
  return `<tr data-deployment="${esc(q.deployment)}"><td>${esc(q.deployment)}</td><td>${esc(q.provider)}</td>
<td>${esc(q.limit ?? q.maxConcurrency)}</td><td>${esc(q.inFlight ?? q.counts.active)}</td>
<td>${ms(q.calls.p50Ms)}</td><td>${ms(q.calls.p95Ms)}</td><td>${pctText(q.calls.errorRate)}</td>
<td>${esc(q.breaker ?? 'closed')}</td><td class="${q.paused ? 'paused' : ''}">${q.paused ? 'paused' : 'running'}</td>
<td><button data-action="${action}" data-id="${esc(q.deployment)}">${action}</button></td></tr>`;
}

function queueRow(q: QueueStats): string {
  const c = q.counts;
  return `<tr data-queue="${esc(q.deployment)}"><td>${esc(q.deployment)}</td><td>${c.waiting + c.prioritized}</td>
<td>${c.active}</td><td>${c.delayed}</td><td>${c.failed}</td><td>${q.calls.perMinute}/min</td></tr>`;
}

const usd = (v: number) => `$${v.toFixed(v !== 0 && v < 0.01 ? 6 : 2)}`;

/** Spend against a budget: `$1.20 / $5.00 (24.0 %)`, or the spend alone without a budget. */
function spendCell(spent: number, budget: number | undefined): string {
  if (budget === undefined) return esc(usd(spent));
  const share = budget > 0 ? ` (${((spent / budget) * 100).toFixed(1)} %)` : '';
  return esc(`${usd(spent)} / ${usd(budget)}${share}`);
}

function tenantRow(a: TenantActivity): string {
  const t = a.tenant;
  return `<tr data-tenant="${esc(t.id)}"><td>${esc(t.id)}</td><td>${spendCell(a.todayUsd, t.budgets?.dailyUsd)}</td>
<td>${spendCell(a.monthUsd, t.budgets?.monthlyUsd)}</td><td>${esc(t.limits?.rpm ?? '–')}</td>
<td>${esc(a.rateLimitHits)}</td></tr>`;
}

function failureRow(f: FailedEntry): string {
  return `<tr><td>${esc(f.failedAt)}</td><td>${esc(f.jobId)}</td><td>${esc(f.tenantId)}</td>
<td>${esc(f.deployment)}</td><td>${esc(f.code)}</td>
<td><button data-action="retry" data-id="${esc(f.jobId)}">retry</button></td></tr>`;
}

// Buttons call the admin API with the session cookie (SameSite=Strict), then reload.
const SCRIPT = `document.addEventListener('click', async (e) => {
  const b = e.target.closest('button[data-action]'); if (!b) return;
  const id = encodeURIComponent(b.dataset.id), a = b.dataset.action;
  const url = a === 'retry' ? '/admin/jobs/' + id + '/retry' : '/admin/deployments/' + id + '/' + a;
  b.disabled = true;
  const r = await fetch(url, { method: 'POST', credentials: 'same-origin' });
  if (!r.ok) alert(a + ' failed: ' + r.status + ' ' + (await r.text()));
  location.reload();
});`;

/** The ops page: deployments, queues, tenants, recent failures; refreshes every 5 s. */
export function opsPage(v: OpsView): string {
  const table = (head: string[], rows: string[], id: string) =>
    `<table id="${id}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('') || `<tr><td colspan="${head.length}">none</td></tr>`}</tbody></table>`;
  return page(
    'AI Gateway operations',
    `<h1>AI Gateway operations</h1><nav><a href="/admin/queues">Queue dashboard</a><a href="/metrics">Metrics</a>
<a href="/admin/logout">Sign out</a></nav><p>Updated ${esc(v.generatedAt)} (refreshes every 5 s)</p>
<h2>Deployments</h2>${table(['deployment', 'provider', 'limit', 'in flight', 'p50', 'p95', 'error rate', 'breaker', 'state', ''], v.queues.map(deploymentRow), 'deployments')}
<h2>Queues</h2>${table(['queue', 'waiting', 'active', 'delayed', 'failed', 'drain rate'], v.queues.map(queueRow), 'queues')}
<h2>Tenants</h2>${table(['tenant', 'spent today / daily budget', 'spent this month / monthly budget', 'rpm limit', 'rate-limit hits today'], v.tenants.map(tenantRow), 'tenants')}
<h2>Recent failures</h2>${table(['failed at', 'job', 'tenant', 'deployment', 'error code', ''], v.failures.map(failureRow), 'failures')}
<script>${SCRIPT}</script>`,
    5,
  );
}
