import type { LoadedConfig, RouteConfig } from '@gateway/config';
import type { RoutingStrategy, TaskName } from '@gateway/contracts';
import type { CascadeOptions } from './cascade';

/** What the router needs to know about one job; tokens are counted before, at ingest. */
export interface RoutingRequest {
  readonly task: TaskName;
  /** A route model alias, a deployment id or a deployment alias. */
  readonly model?: string;
  /** The job's `routing.strategy`; overrides the route's strategy. */
  readonly strategy?: RoutingStrategy;
  /** The job's `routing.maxCostUsd`: deployments whose worst-case cost exceeds it are excluded. */
  readonly maxCostUsd?: number;
  /**
   * Milliseconds left until the job's `routing.deadline` when the job was read (at ingest):
   * deployments expected to take longer (latency EWMA plus the wait their queue implies) are
   * excluded; one without live stats yet is kept.
   */
  readonly timeLeftMs?: number;
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  readonly hasImages: boolean;
  /** Images in the request, for `price.perImage`; defaults to 1 when `hasImages`. */
  readonly imageCount?: number;
  readonly needsJson: boolean;
  readonly needsTools: boolean;
  /** `scoreComplexity(job).score`, used by `cascade`; estimated from token counts when absent. */
  readonly complexity?: number;
  /** Keeps `weighted` choices stable: a session or user key, else the job id. */
  readonly stickyKey?: string;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Live numbers for one deployment, refreshed by the caller in the background. */
export interface DeploymentStats {
  readonly latencyEwmaMs?: number;
  readonly errorRate?: number;
  readonly queueDepth?: number;
  readonly inFlight?: number;
  /** Current concurrency limit; the deployment's `limits.maxConcurrency` when absent. */
  readonly limit?: number;
  readonly breaker?: BreakerState;
}

/** Port: a synchronous view of live stats; a decision never waits on I/O. */
export interface LiveStats {
  get(deploymentId: string): DeploymentStats | undefined;
}

export interface RoutingTenant {
  readonly id: string;
  /** Residency policy, e.g. "eu": admits regions equal to it or starting with it. */
  readonly region?: string;
  /** Glob patterns ("gpt-*"); undefined allows every model, [] none. */
  readonly models?: readonly string[];
}

export interface RoutingContext {
  readonly config: LoadedConfig;
  readonly tenant: RoutingTenant;
  readonly stats: LiveStats;
  /** Patterns from the API key's `models:<pattern>` scopes; undefined allows every model. */
  readonly allowedModels?: readonly string[];
  /**
   * Strategies the API key's `routing:<strategy>` scopes let a request choose with
   * `routing.strategy`; undefined allows every one. The route's own strategy always applies.
   */
  readonly allowedStrategies?: readonly RoutingStrategy[];
  /** Deployments switched off at runtime (paused by an operator, draining...). */
  readonly disabled?: ReadonlySet<string>;
  /** Cascade threshold; the weights apply in `scoreComplexity`. */
  readonly cascade?: Partial<Pick<CascadeOptions, 'threshold'>>;
}

export interface RoutingDecision {
  readonly deployment: string;
  /** Provider id of the chosen deployment. */
  readonly provider: string;
  /** The vendor's model name of the chosen deployment. */
  readonly model: string;
  readonly region: string;
  readonly strategy: RoutingStrategy;
  /** The planned order, distinct; the first is the chosen deployment. */
  readonly candidates: string[];
  readonly reason: string;
  readonly cacheTtlSeconds?: number;
  /** The matched route's PII policies, when it sets them (they override the tenant's). */
  readonly pii?: RouteConfig['pii'];
  readonly piiOutput?: RouteConfig['piiOutput'];
  /** Whether the worker may fall back after a non-retryable error (from the route). */
  readonly fallbackOnNonRetryable: boolean;
  /** Expected cost on the chosen deployment. */
  readonly estimatedCostUsd: number;
  /** Worst case over every candidate with all `maxOutputTokens` used: what budgets reserve. */
  readonly maxCostUsd: number;
}

export type RoutingErrorCode =
  | 'no_route'
  | 'residency_violation'
  | 'model_not_allowed'
  | 'strategy_not_allowed'
  | 'unknown_model'
  | 'context_length'
  | 'cost_limit'
  | 'deadline';

export type RoutingOutcome =
  | { readonly ok: true; readonly decision: RoutingDecision }
  | { readonly ok: false; readonly code: RoutingErrorCode; readonly message: string };
