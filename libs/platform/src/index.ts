export * from './gateway-context';
export * from './gateway-error';
export * from './run-worker-app';
export * from './shutdown';
export * from './jobs/submit-job.usecase';
export * from './jobs/cancel-job.usecase';
export * from './jobs/job-waiter';
export { governed, jobGovernanceFor } from './jobs/governed';
export * from './live-stats';
