export * from './gateway-config.schema';
export * from './interpolate';
export * from './load-config';
export * from './runtime-env';
