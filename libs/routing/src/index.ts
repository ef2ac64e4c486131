export { decide } from './decide';
export type {
  BreakerState,
  DeploymentStats,
  LiveStats,
  RoutingContext,
  RoutingDecision,
  RoutingErrorCode,
  RoutingOutcome,
  RoutingRequest,
  RoutingTenant,
} from './types';
export {
  DEFAULT_CASCADE_OPTIONS,
  scoreComplexity,
  type CascadeOptions,
  type CascadeTuning,
  type ComplexityFeatures,
  type ComplexityScore,
  type ComplexityWeights,
} from './cascade';
export {
  DEFAULT_MAX_OUTPUT,
  IMAGE_TOKENS,
  estimateTokens,
  requestTraits,
  type RequestTraits,
  type TokenEstimate,
} from './tokens';
export { EXPECTED_OUTPUT_SHARE } from './cost';
export { toRoutingRequest } from './routing-request';
export { matchesAny } from './glob';
