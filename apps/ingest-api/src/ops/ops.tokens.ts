/** Injection tokens of the operating surface (queue admin, retries). */
export const QUEUE_ADMIN = Symbol('QueueAdmin');
export const RETRY_JOB = Symbol('RetryJobUseCase');
