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
 * Milvus's background step executor, bounded: at most `parallelMax` jobs run at once and at most
 * `jobsMax` wait; each step is retried with backoff until it succeeds or the executor stops (on loss
 * of leadership; the next leader resumes from the entity states).
 */
export class StepExecutor {
  private readonly waiting: RunningJob[] = [];
  private running = 0;
  private stopped = false;
  private generation = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly parallelMax = 4,
    private readonly jobsMax = 10_000,
    private readonly retryDelayMs = 200,
    private readonly log: (message: string, fields: Record<string, unknown>) => void = () => {},
  ) {}

  /** Returns false if the queue is full (the job will be resumed by recovery). */
  submit(job: BackgroundJob): boolean {
    if (this.stopped || this.waiting.length >= this.jobsMax) return false;
    this.waiting.push({ job, nextStep: 0, generation: this.generation });
    this.pump();
    return true;
  }

  private pump(): void {
    while (!this.stopped && this.running < this.parallelMax && this.waiting.length > 0) {
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
    let delayMs = this.retryDelayMs;
    while (!this.stopped && running.generation === this.generation && running.nextStep < running.job.steps.length) {
      const step = running.job.steps[running.nextStep] as () => Promise<void>;
      try {
        await step();
        running.nextStep++;
        delayMs = this.retryDelayMs;
      } catch (error) {
        this.log('background step failed; retrying', { job: running.job.name, step: running.nextStep, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
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
  }

  start(): void {
    this.stopped = false;
  }
}
