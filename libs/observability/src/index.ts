export * from './logger';
export * from './metrics';
export * from './metrics-server';
export * from './process-warnings';
export * from './random-pool';
export * from './tracing';
