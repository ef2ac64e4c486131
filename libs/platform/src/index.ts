export * from './gateway-context';
export * from './gateway-error';
export * from './run-worker-app';
export * from './shutdown';
