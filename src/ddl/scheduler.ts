import type { Clock } from '../../raft/clock.js';
import { CodedError, ErrorCodes } from '../common/error-codes.js';
import { LockManager } from './lock-manager.js';
import type { JobSlot } from './step-executor.js';
import type { DdlTask, TaskContext, TaskPorts } from './task.js';

export interface SchedulerPorts extends TaskPorts {
  /** Resolves if this node is still the leader (a lease, or a ReadIndex round); rejects otherwise. */
  readonly confirmLeadership: () => Promise<void>;
  /** Times a task's waits (monotonic) and its lock waits. */
  readonly clock: Clock;
}

export interface TaskTiming {
  readonly name: string;
  readonly queueMs: number;
  readonly totalMs: number;
  readonly ok: boolean;
}

const OUTCOME_UNKNOWN = ErrorCodes.OutcomeUnknown.code;

/** The longest client request ID accepted (a UUID or 32 hex digits fit easily). */
export const REQUEST_ID_LENGTH_MAX = 64;
/** The characters of a call's digest in a request key (src/api/request-key.ts: base64url of 132 bits of SHA-256). */
export const REQUEST_DIGEST_CHARS = 22;
/** The longest request key taken: a client's request ID, '/', the digest of its call. */
export const REQUEST_KEY_LENGTH_MAX = REQUEST_ID_LENGTH_MAX + 1 + REQUEST_DIGEST_CHARS;

/**
 * The DDL scheduler (Milvus lock mode): a task takes its lock chain, then gets an ID and a timestamp
 * stamped together, then runs. Tasks whose chains do not conflict run in parallel. The minimum
 * timestamp of the tasks in flight bounds the DDL time tick.
 *
 * Exactly once: a task submitted with a request key (a client's request ID and a digest of its call,
 * src/api/request-key.ts) commits its effect tagged with that key. A retry of the request while it runs joins it; a retry after it took effect (recorded in the MetaTable,
 * replicated, so also after a leader change) succeeds without running again. Without this, a retried
 * create that raced a drop would create the collection a second time.
 *
 * Fencing: `stop()` starts a new generation; a task of an older generation can no longer propose,
 * so a task that outlives its leader's term never writes into a later term of the same node.
 *
 * Answers from the catalog: a task that ends without committing (an idempotent no-op, or an error
 * such as "collection not found") answered from this node's catalog, like a read. It is returned only
 * after leadership is confirmed, so a deposed leader that has not noticed yet cannot answer from a
 * stale catalog.
 */
export class Scheduler {
  private readonly locks: LockManager;
  private readonly inflight = new Map<bigint, bigint>();
  private readonly byRequest = new Map<string, Promise<void>>();
  /** Retries of a request answered without running it again: joined to the running task, or answered from the record. */
  readonly retriesDeduplicated = { joined: 0, recorded: 0 };
  private generation = 0;
  private open = false;
  private queued = 0;
  private stamping: Promise<unknown> = Promise.resolve();
  onTaskDone: (timing: TaskTiming) => void = () => {};

  constructor(private readonly ports: SchedulerPorts) {
    this.locks = new LockManager(ports.clock);
  }

  start(): void {
    this.generation++;
    this.open = true;
  }

  stop(): void {
    this.generation++;
    this.open = false;
    this.byRequest.clear();
  }

  isOpen(): boolean {
    return this.open;
  }

  submit(task: DdlTask, requestId: string | null = null): Promise<void> {
    if (!this.open) return Promise.reject(new CodedError('ServiceNotReady', 'this node is not the serving leader'));
    if (requestId === null) return this.run(task, null);
    if (requestId.length === 0 || requestId.length > REQUEST_KEY_LENGTH_MAX) {
      return Promise.reject(new CodedError('ParameterInvalid', `a request key has 1 to ${REQUEST_KEY_LENGTH_MAX} characters, not ${requestId.length}`));
    }
    const running = this.byRequest.get(requestId);
    if (running !== undefined) {
      this.retriesDeduplicated.joined++;
      return running;
    }
    // The serving leader has applied every entry of earlier terms, so an earlier attempt that took
    // effect anywhere is recorded by now; one still running here is in `byRequest`.
    if (this.ports.meta.requestTookEffect(requestId)) {
      this.retriesDeduplicated.recorded++;
      return Promise.resolve();
    }
    const run = this.run(task, requestId);
    this.byRequest.set(requestId, run);
    const forget = (): void => {
      if (this.byRequest.get(requestId) === run) this.byRequest.delete(requestId);
    };
    run.then(forget, forget);
    return run;
  }

  private async run(task: DdlTask, requestId: string | null): Promise<void> {
    if (this.queued >= this.ports.limits.schedulerQueueMax) {
      throw new CodedError('QueueFull', `the DDL scheduler holds ${this.queued} tasks (max ${this.ports.limits.schedulerQueueMax})`);
    }
    this.queued++;
    // Whatever throws from here on (precompute, the lock chain, the lock, the task), the place is given back.
    try {
      await this.runQueued(task, requestId);
    } finally {
      this.queued--;
    }
  }

  private async runQueued(task: DdlTask, requestId: string | null): Promise<void> {
    if (task.precompute !== undefined) await task.precompute(this.ports);
    const generation = this.generation;
    let committed = false;
    const clock = this.ports.clock;
    const startedMs = clock.monotonicMs();
    let lockedMs = startedMs;
    let ok = false;
    let release: (() => void) | null = null;
    let stamp: { id: bigint; ts: bigint } | null = null;
    try {
      release = await this.locks.acquire(task.lockChain(this.ports.meta), this.ports.limits.maxDdlQueueMs);
      if (release === null) throw new CodedError('QueueFull', `the task waited ${this.ports.limits.maxDdlQueueMs} ms for its locks; nothing was done, retry later`);
      lockedMs = clock.monotonicMs();
      if (!this.open || generation !== this.generation) throw new CodedError('ServiceNotReady', 'leadership was lost while the task waited');
      stamp = await this.stamp();
      const waitedMs = clock.monotonicMs() - startedMs;
      if (waitedMs > this.ports.limits.maxDdlQueueMs) {
        throw new CodedError('QueueFull', `the task waited ${Math.round(waitedMs)} ms for its locks and ID and timestamp (max ${this.ports.limits.maxDdlQueueMs}); nothing was done, retry later`);
      }
      const ts = stamp.ts;
      const fenced = <A extends unknown[], T>(fn: (...args: A) => Promise<T>) => (...args: A): Promise<T> => {
        if (generation !== this.generation) return Promise.reject(new CodedError('ServiceNotReady', 'leadership was lost while the task ran'));
        return fn(...args);
      };
      const propose = fenced(this.ports.propose);
      // The task's own keys before the spread of the ports, the fenced ones (which replace ports) after
      // it: V8 (Node 20) gives a literal that starts with a spread and then adds a key a new hidden
      // class on every evaluation (the README, "Development": hidden classes).
      const ctx: TaskContext = {
        id: stamp.id,
        ts,
        commit: async (command) => {
          await propose(requestId === null ? command : { kind: 'request', requestId, ts, command });
          committed = true;
        },
        ...this.ports,
        propose,
        allocIds: fenced(this.ports.allocIds),
        allocTs: fenced(this.ports.allocTs),
        background: { reserve: () => this.fencedSlot(generation) },
      };
      try {
        await task.prepare(ctx);
        await task.execute(ctx);
      } catch (error) {
        if (!committed && error instanceof CodedError && !error.retriable && error.code !== OUTCOME_UNKNOWN) await this.confirmAnswer();
        throw error;
      }
      if (!committed) await this.confirmAnswer();
      ok = true;
    } finally {
      if (stamp !== null) this.inflight.delete(stamp.id);
      release?.();
      this.onTaskDone({ name: task.name, queueMs: lockedMs - startedMs, totalMs: clock.monotonicMs() - startedMs, ok });
    }
  }

  /** A background job place for a task of `generation`: its job is not queued once that leadership is over (recovery resumes the work). */
  private fencedSlot(generation: number): JobSlot | null {
    if (generation !== this.generation) throw new CodedError('ServiceNotReady', 'leadership was lost while the task ran');
    const slot = this.ports.background.reserve();
    if (slot === null) return null;
    return {
      submit: (job) => (generation === this.generation ? slot.submit(job) : slot.release()),
      release: () => slot.release(),
    };
  }

  private async confirmAnswer(): Promise<void> {
    try {
      await this.ports.confirmLeadership();
    } catch {
      throw new CodedError('ServiceNotReady', 'leadership could not be confirmed; the request did not take effect');
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
