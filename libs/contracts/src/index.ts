export * from './tasks.schema';
export * from './errors';
export * from './job-request.schema';
export * from './job-record.schema';
export * from './events/cloudevent';
export * from './events/result.v1';
export * from './events/audit.v1';
