import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { CodedError } from '../common/error-codes.js';

/** One background job: named steps run in order; a failed step is retried, a finished one is not rerun. */
export interface BackgroundJob {
  readonly name: string;
  readonly steps: ReadonlyArray<() => Promise<void>>;
}

interface RunningJob {
  readonly job: BackgroundJob;
  nextStep: number;
  /** The executor's generation when the job was submitted: a job of an earlier leadership ends. */
  readonly generation: number;
}

/**
 * A place in the executor's queue, held by a DDL before it takes effect for the job it will then need
 * (a roll-forward, or an undo if a later step fails), so that submitting that job cannot be refused.
 */
export interface JobSlot {
  /** Queue the job in the held place (once). After a loss of leadership it is not run: the next leader's recovery resumes the work from the entity states. */
  submit(job: BackgroundJob): void;
  /** Give the place back unused. */
  release(): void;
}

export interface StepExecutorOptions {
  /** Jobs run at once (4). */
  readonly parallelMax?: number;
  /** Places (jobs waiting or running, and places reserved) before a DDL is refused (10,000). */
  readonly jobsMax?: number;
  /** The first retry of a failed step waits this long, doubling up to 10 s (200 ms). */
  readonly retryDelayMs?: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
  /** Timers (default: the process's). */
  readonly clock?: Clock;
}

/** The options that have a default, resolved: the one place the defaults are set. */
type StepExecutorSettings = Required<StepExecutorOptions>;

function resolveSettings(options: StepExecutorOptions): StepExecutorSettings {
  return {
    parallelMax: options.parallelMax ?? 4,
    jobsMax: options.jobsMax ?? 10_000,
    retryDelayMs: options.retryDelayMs ?? 200,
    log: options.log ?? (() => {}),
    clock: options.clock ?? systemClock,
  };
}

/**
 * Milvus's background step executor, bounded: at most `parallelMax` jobs run at once; each step is
 * retried with backoff until it succeeds or the executor stops (on loss of leadership; the next
 * leader resumes from the entity states). A DDL reserves a place before it takes effect, and is
 * refused (QueueFull, retriable) when `jobsMax` places are taken: a job, once its DDL took effect,
 * is never dropped. Recovery's jobs are always taken (they are the work of entities that exist).
 */
export class StepExecutor {
  private readonly waiting: RunningJob[] = [];
  private running = 0;
  /** Places held by slots not yet submitted or released (of the current generation). */
  private reserved = 0;
  private stopped = false;
  private generation = 0;
  private readonly idleWaiters: Array<() => void> = [];

  private readonly settings: StepExecutorSettings;

  constructor(options: StepExecutorOptions = {}) {
    this.settings = resolveSettings(options);
  }

  /** Jobs waiting or running, and places reserved for jobs. */
  load(): number {
    return this.waiting.length + this.running + this.reserved;
  }

  /** A place for a job, or null if the executor is full or stopped. */
  reserve(): JobSlot | null {
    if (this.stopped || this.load() >= this.settings.jobsMax) return null;
    this.reserved++;
    const generation = this.generation;
    let used = false;
    const giveBack = (): boolean => {
      if (used) return false;
      used = true;
      if (generation !== this.generation) return false;
      this.reserved--;
      return true;
    };
    return {
      submit: (job) => {
        if (giveBack() && !this.stopped) this.enqueue(job);
      },
      release: () => {
        giveBack();
      },
    };
  }

  /** Queue a job of recovery (a new leader resuming the work of Creating or Dropping entities): never refused while running. */
  resume(job: BackgroundJob): void {
    if (!this.stopped) this.enqueue(job);
  }

  private enqueue(job: BackgroundJob): void {
    this.waiting.push({ job, nextStep: 0, generation: this.generation });
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.settings.parallelMax && this.waiting.length > 0) {
      const next = this.waiting.shift() as RunningJob;
      this.running++;
      void this.run(next).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.waiting.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    }
  }

  private async run(running: RunningJob): Promise<void> {
    const { retryDelayMs, log, clock } = this.settings;
    let delayMs = retryDelayMs;
    while (!this.stopped && running.generation === this.generation && running.nextStep < running.job.steps.length) {
      const step = running.job.steps[running.nextStep] as () => Promise<void>;
      try {
        await step();
        running.nextStep++;
        delayMs = retryDelayMs;
      } catch (error) {
        log('background step failed; retrying', { job: running.job.name, step: running.nextStep, error: String(error) });
        await clock.sleep(delayMs);
        delayMs = Math.min(delayMs * 2, 10_000);
      }
    }
  }

  /** Resolves when nothing is queued or running (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.waiting.length = 0;
    this.reserved = 0;
  }

  start(): void {
    this.stopped = false;
  }
}

/** A place for the job a DDL will need once it takes effect; QueueFull (retriable) if there is none. */
export function reserveJobSlot(background: Pick<StepExecutor, 'reserve'>): JobSlot {
  const slot = background.reserve();
  if (slot === null) throw new CodedError('QueueFull', 'the background step executor is full (or stopping); retry later');
  return slot;
}

/**
 * Take effect (`commit`) with the place of the job that must follow it held first, then queue that
 * job: refused (QueueFull) before anything is done when there is no place, never after.
 */
export async function commitThenQueue(background: Pick<StepExecutor, 'reserve'>, commit: () => Promise<void>, job: BackgroundJob): Promise<void> {
  const slot = reserveJobSlot(background);
  try {
    await commit();
  } catch (error) {
    slot.release();
    throw error;
  }
  slot.submit(job);
}
