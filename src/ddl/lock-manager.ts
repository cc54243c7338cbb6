import { assert } from '../../raft/assert.js';

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
 * serialise in arrival order. Waiters are served first come, first served.
 */
export class LockManager {
  private readonly locks = new Map<string, LockState>();

  async acquire(chain: readonly LockRequest[]): Promise<() => void> {
    const held: LockRequest[] = [];
    for (const request of chain) {
      await this.lockOne(request);
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

  private lockOne(request: LockRequest): Promise<void> {
    const state = this.state(request.key);
    const free = request.mode === 'read' ? !state.writer && state.queue.length === 0 : !state.writer && state.readers === 0 && state.queue.length === 0;
    if (free) {
      this.take(state, request.mode);
      return Promise.resolve();
    }
    return new Promise((resolve) => state.queue.push({ mode: request.mode, grant: resolve }));
  }

  private take(state: LockState, mode: LockMode): void {
    if (mode === 'read') state.readers++;
    else state.writer = true;
  }

  private unlockOne(request: LockRequest): void {
    const state = this.state(request.key);
    if (request.mode === 'read') state.readers--;
    else state.writer = false;
    while (state.queue.length > 0) {
      const next = state.queue[0] as Waiter;
      const grantable = next.mode === 'read' ? !state.writer : !state.writer && state.readers === 0;
      if (!grantable) break;
      state.queue.shift();
      this.take(state, next.mode);
      next.grant();
      if (next.mode === 'write') break;
    }
    if (state.readers === 0 && !state.writer && state.queue.length === 0) this.locks.delete(request.key);
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
