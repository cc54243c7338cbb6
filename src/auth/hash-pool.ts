import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CodedError } from '../common/error-codes.js';
import type { PasswordHasher } from './password-hash.js';

type HashRequest = { op: 'hash'; password: string; cost: number } | { op: 'verify'; password: string; encoded: string };
/** A job as a worker receives it. */
export type HashJob = HashRequest & { id: number };
/** A worker's answer to job `id`. */
export type HashResult = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; error: string };

export interface HashPoolOptions {
  /** Worker threads; 0 or less: min(2, cores). */
  readonly workers: number;
  /** Jobs waiting for a worker (beyond those running); one more is refused at once with QueueFull. */
  readonly queueMax: number;
  /**
   * The workers' nice value (0 to 19; Linux: per thread), so that the node's main thread wins the CPU.
   * Too high on a busy machine and a hash waits seconds for the CPU: logins time out.
   */
  readonly nice?: number;
}

interface Pending {
  readonly job: HashJob;
  readonly resolve: (value: string | boolean) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  running: Pending | null;
}

/** min(2, cores): hashing never takes every core from the main thread on a small machine. */
function defaultHashWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * Password hashing and checking on a few worker threads of their own, with a bounded queue in front.
 * scrypt through `crypto.scrypt` runs on libuv's thread pool (four threads), which the Raft log's
 * file writes share: a flood of wrong passwords queued those writes behind hashes until the leader
 * missed its heartbeats. Here a hash occupies one of `workers` threads (started on first use, at a
 * lower CPU priority if asked, unref'd while idle) and at most `queueMax` more wait; beyond that a
 * job is refused at once with the retriable QueueFull, never queued without bound.
 */
export class PasswordHashPool implements PasswordHasher {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: HashPoolOptions) {
    this.size = options.workers > 0 ? Math.floor(options.workers) : defaultHashWorkers();
  }

  hash(password: string, cost: number): Promise<string> {
    return this.submit({ op: 'hash', password, cost }) as Promise<string>;
  }

  verify(password: string, encoded: string): Promise<boolean> {
    return this.submit({ op: 'verify', password, encoded }) as Promise<boolean>;
  }

  /** Jobs on a worker and jobs waiting for one. */
  load(): { running: number; waiting: number } {
    return { running: this.slots.filter((s) => s.running !== null).length, waiting: this.waiting.length };
  }

  /** Refuses what waits, abandons what runs and stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    const abandoned = [...this.waiting.splice(0), ...this.slots.flatMap((s) => (s.running === null ? [] : [s.running]))];
    for (const pending of abandoned) pending.reject(new CodedError('ServiceNotReady', 'the node is stopping'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private submit(request: HashRequest): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new CodedError('ServiceNotReady', 'the node is stopping'));
    return new Promise((resolve, reject) => {
      const pending: Pending = { job: { id: this.nextId++, ...request }, resolve, reject };
      const slot = this.idleSlot();
      if (slot !== null) this.run(slot, pending);
      else if (this.waiting.length < this.options.queueMax) this.waiting.push(pending);
      else reject(new CodedError('QueueFull', `password checks: ${this.size} running and ${this.waiting.length} waiting; retry later`));
    });
  }

  private idleSlot(): Slot | null {
    return this.slots.find((s) => s.running === null) ?? (this.slots.length < this.size ? this.spawn() : null);
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: { nice: this.options.nice ?? 0 } }), running: null };
    slot.worker.unref();
    slot.worker.on('message', (result: HashResult) => {
      const pending = slot.running;
      if (pending === null || pending.job.id !== result.id) return;
      slot.running = null;
      if (result.ok) pending.resolve(result.value);
      else pending.reject(new Error(`password hashing failed: ${result.error}`));
      this.runNext(slot);
    });
    const lost = (error: Error): void => {
      const at = this.slots.indexOf(slot);
      if (at < 0) return;
      this.slots.splice(at, 1);
      slot.running?.reject(error);
      slot.running = null;
      void slot.worker.terminate();
      // Whatever waits goes to the remaining workers or to a new one.
      while (this.waiting.length > 0 && !this.closed) {
        const next = this.idleSlot();
        if (next === null) break;
        this.runNext(next);
      }
    };
    slot.worker.on('error', lost);
    slot.worker.on('exit', (code) => lost(new Error(`password hash worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, pending: Pending): void {
    slot.running = pending;
    // Referenced while it works, so that a process waiting for a hash does not exit under it.
    slot.worker.ref();
    slot.worker.postMessage(pending.job);
  }

  private runNext(slot: Slot): void {
    const pending = this.waiting.shift();
    if (pending !== undefined) this.run(slot, pending);
    else slot.worker.unref();
  }
}
