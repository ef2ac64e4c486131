export * from './cloud-events';
export * from './kafka-client';
export * from './outbox-relay';
export * from './request-ingress';
export * from './trace-headers';
export * from './ingress-lag';
