import { CodedError } from '../common/error-codes.js';
import type { Limits } from './limits.js';
import { LockManager } from './lock-manager.js';
import type { DdlTask, TaskContext, TaskPorts } from './task.js';

export type SchedulerPorts = TaskPorts;

export interface TaskTiming {
  readonly name: string;
  readonly queueMs: number;
  readonly totalMs: number;
  readonly ok: boolean;
}

/**
 * The DDL scheduler (Milvus lock mode): a task takes its lock chain, then gets an ID and a timestamp
 * stamped together, then runs. Tasks whose chains do not conflict run in parallel. The minimum
 * timestamp of the tasks in flight bounds the DDL time tick.
 */
export class Scheduler {
  private readonly locks = new LockManager();
  private readonly inflight = new Map<bigint, bigint>();
  private open = false;
  private queued = 0;
  private stamping: Promise<unknown> = Promise.resolve();
  onTaskDone: (timing: TaskTiming) => void = () => {};

  constructor(private readonly ports: SchedulerPorts) {}

  start(): void {
    this.open = true;
  }

  stop(): void {
    this.open = false;
  }

  isOpen(): boolean {
    return this.open;
  }

  async submit<R>(task: DdlTask<R>): Promise<R> {
    if (!this.open) throw new CodedError('ServiceNotReady', 'this node is not the serving leader');
    if (this.queued >= this.ports.limits.schedulerQueueMax) {
      throw new CodedError('QueueFull', `the DDL scheduler holds ${this.queued} tasks (max ${this.ports.limits.schedulerQueueMax})`);
    }
    this.queued++;
    const startedMs = performance.now();
    let lockedMs = startedMs;
    let ok = false;
    const release = await this.locks.acquire(task.lockChain(this.ports.meta));
    let stamp: { id: bigint; ts: bigint } | null = null;
    try {
      lockedMs = performance.now();
      if (!this.open) throw new CodedError('ServiceNotReady', 'leadership was lost while the task waited');
      stamp = await this.stamp();
      const ctx: TaskContext = { ...this.ports, id: stamp.id, ts: stamp.ts };
      await task.prepare(ctx);
      const result = await task.execute(ctx);
      ok = true;
      return result;
    } finally {
      if (stamp !== null) this.inflight.delete(stamp.id);
      release();
      this.queued--;
      this.onTaskDone({ name: task.name, queueMs: lockedMs - startedMs, totalMs: performance.now() - startedMs, ok });
    }
  }

  /** ID and timestamp are allocated under one mutex, so task IDs and timestamps increase together. */
  private stamp(): Promise<{ id: bigint; ts: bigint }> {
    const next = this.stamping.then(async () => {
      const id = await this.ports.allocIds(1);
      const ts = await this.ports.allocTs();
      this.inflight.set(id, ts);
      return { id, ts };
    });
    this.stamping = next.catch(() => undefined);
    return next;
  }

  /** The smallest timestamp of a task in flight, or null when none is. */
  minInflightTs(): bigint | null {
    let min: bigint | null = null;
    for (const ts of this.inflight.values()) if (min === null || ts < min) min = ts;
    return min;
  }
}
