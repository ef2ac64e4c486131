/** Injection tokens of the ingest API's wiring. */
export const GATEWAY_CONTEXT = Symbol('GatewayContext');
export const SUBMIT_JOB = Symbol('SubmitJobUseCase');
export const CANCEL_JOB = Symbol('CancelJobUseCase');
export const JOB_WAITER = Symbol('JobWaiter');
export const ADMIN_AUTH = Symbol('AdminAuth');
export const KEY_STORE = Symbol('KeyStore');
export const TENANT_STORE = Symbol('TenantStore');
export const JOB_GOVERNANCE = Symbol('JobGovernance');
export const ADMIN_CREDENTIALS = Symbol('AdminCredentials');
export const USAGE_REPORT = Symbol('UsageReport');
export const TENANT_ERASURE = Symbol('TenantErasure');
