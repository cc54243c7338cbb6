import { assert, AssertionError } from '../../raft/assert.js';
import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';

export type LockMode = 'read' | 'write';

export interface LockRequest {
  readonly key: string;
  readonly mode: LockMode;
}

interface Waiter {
  readonly mode: LockMode;
  readonly grant: () => void;
}

interface LockState {
  readers: number;
  writer: boolean;
  readonly queue: Waiter[];
}

/**
 * Hierarchical read/write locks for the DDL scheduler: a task takes its chain (cluster -> database ->
 * collection) in that order, so tasks on different collections run in parallel while conflicting ones
 * serialise in arrival order. Waiters are served first come, first served. `clock` times the waits.
 */
export class LockManager {
  private readonly locks = new Map<string, LockState>();

  constructor(private readonly clock: Clock = systemClock) {}

  /**
   * Take the chain, in order. With `waitMs`, give up a lock not granted within that long (counted
   * from the call): the waiter leaves its queue, the locks already taken are released, and the result
   * is null.
   */
  async acquire(chain: readonly LockRequest[], waitMs = Infinity): Promise<(() => void) | null> {
    const deadline = this.clock.monotonicMs() + waitMs;
    const held: LockRequest[] = [];
    for (const request of chain) {
      if (!(await this.lockOne(request, deadline))) {
        for (const taken of held.reverse()) this.unlockOne(taken);
        return null;
      }
      held.push(request);
    }
    let released = false;
    return () => {
      assert(!released, 'lock chain released twice');
      released = true;
      for (const request of held.reverse()) this.unlockOne(request);
    };
  }

  private state(key: string): LockState {
    let state = this.locks.get(key);
    if (state === undefined) {
      state = { readers: 0, writer: false, queue: [] };
      this.locks.set(key, state);
    }
    return state;
  }

  /** Resolves true once the lock is taken, or false if `deadline` (the clock's monotonic time) passes first. */
  private lockOne(request: LockRequest, deadline: number): Promise<boolean> {
    const state = this.state(request.key);
    const free = request.mode === 'read' ? !state.writer && state.queue.length === 0 : !state.writer && state.readers === 0 && state.queue.length === 0;
    if (free) {
      this.take(state, request.mode);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        mode: request.mode,
        grant: () => {
          this.clock.clearTimeout(timer);
          resolve(true);
        },
      };
      state.queue.push(waiter);
      if (!Number.isFinite(deadline)) return;
      timer = this.clock.setTimeout(() => {
        const at = state.queue.indexOf(waiter);
        if (at < 0) return;
        state.queue.splice(at, 1);
        // The waiter that left may have been all that held back the ones behind it.
        this.grantWaiting(request.key, state);
        resolve(false);
      }, Math.max(0, deadline - this.clock.monotonicMs()));
    });
  }

  private take(state: LockState, mode: LockMode): void {
    if (mode === 'read') state.readers++;
    else state.writer = true;
  }

  private unlockOne(request: LockRequest): void {
    const state = this.locks.get(request.key);
    // The message is built only when the check fails (this runs for every lock of every DDL).
    if (state === undefined || !(request.mode === 'read' ? state.readers > 0 : state.writer)) {
      throw new AssertionError(`lock ${request.key} released in ${request.mode} mode by a task that does not hold it`);
    }
    if (request.mode === 'read') state.readers--;
    else state.writer = false;
    this.grantWaiting(request.key, state);
  }

  /** Grant the waiters at the head of the queue that the lock's holders now allow; forget an idle lock. */
  private grantWaiting(key: string, state: LockState): void {
    while (state.queue.length > 0) {
      const next = state.queue[0] as Waiter;
      const grantable = next.mode === 'read' ? !state.writer : !state.writer && state.readers === 0;
      if (!grantable) break;
      state.queue.shift();
      this.take(state, next.mode);
      next.grant();
      if (next.mode === 'write') break;
    }
    if (state.readers === 0 && !state.writer && state.queue.length === 0) this.locks.delete(key);
  }
}

export const lockChains = {
  clusterWrite: (): LockRequest[] => [{ key: 'cluster', mode: 'write' }],
  /** Users, roles, grants and privilege groups: one lock of their own (Milvus's permission mutex). */
  rbac: (): LockRequest[] => [{ key: 'rbac', mode: 'write' }],
  clusterRead: (): LockRequest[] => [{ key: 'cluster', mode: 'read' }],
  database: (db: string, mode: LockMode): LockRequest[] => [{ key: 'cluster', mode: 'read' }, { key: `db/${db}`, mode }],
  /** Several names of one database, in sorted order (a fixed order: two such chains cannot deadlock). */
  collections: (db: string, collectionKeys: readonly string[], mode: LockMode): LockRequest[] => [
    { key: 'cluster', mode: 'read' },
    { key: `db/${db}`, mode: 'read' },
    ...[...new Set(collectionKeys)].sort().map((k) => ({ key: `collection/${db}/${k}`, mode })),
  ],
  collection: (db: string, collectionKey: string, mode: LockMode): LockRequest[] => [
    { key: 'cluster', mode: 'read' },
    { key: `db/${db}`, mode: 'read' },
    { key: `collection/${db}/${collectionKey}`, mode },
  ],
};
