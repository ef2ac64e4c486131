import type { JobRequest, TaskInput, TaskName } from '@gateway/contracts';

/**
 * A job's input typed as its task's input. The inferred `JobRequest` union does not narrow
 * `input` by `task` (the contracts' generic helper widens it), so the one cast lives here;
 * the request was validated by the same per-task schema at ingest.
 */
export function inputOf<T extends TaskName>(request: JobRequest & { task: T }): TaskInput<T> {
  return request.input as TaskInput<T>;
}
