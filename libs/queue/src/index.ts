export * from './keys';
export * from './job-store';
export * from './job-queues';
export * from './worker/process-job.usecase';
export * from './worker/worker-host';
