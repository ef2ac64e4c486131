import { TASK_NAMES, type TaskInput, type TaskName } from '@gateway/contracts';
import type { DeploymentConfig, ProviderConfig } from '@gateway/config';
import type {
  AdapterFactory,
  CallContext,
  CallResult,
  ChatStreamEvent,
  ProviderAdapter,
} from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { isCpuOnly, runLocalTask } from './local-engine';
import { OcrEngine } from './local-ocr';
import { LoadSimulator } from './local-simulation';
import { chatStream } from './local-stream';
import {
  cancelledError,
  deadlineFrom,
  faultError,
  pause,
  raceDeadline,
  type Deadline,
} from './local-timing';

export interface LocalAdapterOptions {
  /** Source of randomness for simulated latency and faults; seed it to replay a run. */
  readonly random?: () => number;
  /** Deadline of a call whose context sets none: the provider's `timeoutMs`. */
  readonly timeoutMs?: number;
}

/** A call admitted past the simulation: how long it should take and how to end it. */
export interface Admission {
  readonly latencyMs: number;
  readonly deadline: Deadline;
  release(): void;
}

const NOTHING_TO_RELEASE = () => undefined;

/**
 * The embedded default provider: real, small, deterministic algorithms for every task, no
 * network and no credentials, with per-deployment latency, faults and capacity injected
 * from `deployment.simulate` for load and fault tests.
 */
export class LocalAdapter implements ProviderAdapter {
  readonly type = 'local';
  private readonly ocr = new OcrEngine();
  private readonly simulator: LoadSimulator;
  private timeoutMs: number | undefined;

  constructor(options: LocalAdapterOptions = {}) {
    this.simulator = new LoadSimulator(options.random);
    this.timeoutMs = options.timeoutMs;
  }

  reconfigure(provider: ProviderConfig): void {
    this.timeoutMs = provider.timeoutMs;
  }

  /** Calls of a deployment in flight in this adapter (for tests and metrics). */
  inFlight(deploymentId: string): number {
    return this.simulator.inFlightOf(deploymentId);
  }

  async call<T extends TaskName>(
    task: T,
    input: TaskInput<T>,
    ctx: CallContext,
  ): Promise<CallResult<T>> {
    const started = Date.now();
    if (ctx.signal.aborted) throw cancelledError();
    const admission = await this.admit(ctx.deployment, ctx, started);
    try {
      const work = this.run(task, input);
      const result = isCpuOnly(task, input)
        ? await work
        : await raceDeadline(work, ctx.signal, admission.deadline);
      if (admission.latencyMs > 0) {
        await pause(admission.latencyMs - (Date.now() - started), ctx.signal, admission.deadline);
      }
      return { ...result, model: ctx.deployment.model };
    } finally {
      admission.release();
    }
  }

  async *streamChat(input: TaskInput<'chat'>, ctx: CallContext): AsyncIterable<ChatStreamEvent> {
    const started = Date.now();
    if (ctx.signal.aborted) throw cancelledError();
    const admission = await this.admit(ctx.deployment, ctx, started);
    try {
      const result = await raceDeadline(this.run('chat', input), ctx.signal, admission.deadline);
      const budget = Math.max(0, admission.latencyMs - (Date.now() - started));
      yield* chatStream(result, budget, ctx.signal, admission.deadline);
    } finally {
      admission.release();
    }
  }

  async close(): Promise<void> {
    await this.ocr.close();
  }

  private async run<T extends TaskName>(task: T, input: TaskInput<T>) {
    try {
      const { output, usage, images } = await runLocalTask(task, input, { ocr: this.ocr });
      return { output, usage, ...(images ? { images } : {}) };
    } catch (e) {
      if (ProviderError.isProviderError(e)) throw e;
      // Inputs that pass the schema but break an algorithm are the caller's to fix.
      throw new ProviderError(
        'invalid_request',
        `The local provider could not process this ${task} input: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }

  /**
   * Applies the deployment's simulation before any work: rejects with the simulated fault,
   * hangs until the deadline, or admits the call with its latency. Without `simulate`
   * nothing is allocated beyond the deadline object.
   */
  private async admit(
    deployment: DeploymentConfig,
    ctx: CallContext,
    started: number,
  ): Promise<Admission> {
    // Like the vendor adapters: the call's own deadline, else the provider's timeoutMs.
    const deadline = deadlineFrom(ctx.timeoutMs ?? this.timeoutMs, started);
    const sim = deployment.simulate;
    if (!sim) return { latencyMs: 0, deadline, release: NOTHING_TO_RELEASE };
    const ticket = this.simulator.admit(deployment.id, sim);
    if (ticket.fault?.kind === 'hang') {
      try {
        await pause(Infinity, ctx.signal, deadline);
      } finally {
        ticket.release();
      }
    }
    if (ticket.fault && ticket.fault.kind !== 'hang') throw faultError(ticket.fault, deployment.id);
    return { latencyMs: ticket.latencyMs, deadline, release: ticket.release };
  }
}

/** Registry entry: `type: local` needs no credentials and serves every task. */
export const localAdapterFactory: AdapterFactory = {
  type: 'local',
  tasks: new Set<TaskName>(TASK_NAMES),
  hasCredentials: () => true,
  create: (provider) => new LocalAdapter({ timeoutMs: provider.timeoutMs }),
};
