export * from './provider-adapter';
export * from './provider-error';
export * from './rate-limit';
export * from './cost';
export * from './registry';
