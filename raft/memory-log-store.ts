import { assert } from './assert.js';
import { bootstrapEntries, MemoryIndexedStorage, MemoryStorage } from './memory-storage.js';
import { sourceBytes } from './snapshot-data.js';
import type { SnapshotSource } from './snapshot-data.js';
import type { LogStore } from './storage.js';
import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/**
 * A LogStore in memory: "the disk" of a simulated node. It outlives the RaftNode that writes it, so a
 * crashed node restarts from what it had persisted (pass the same store to the next RaftNode). Every
 * write completes at once, so a run driven by fake timers is deterministic.
 */
export class MemoryLogStore extends MemoryIndexedStorage implements LogStore {
  protected readonly memory = new MemoryStorage();

  save(hardState: HardState | null, entries: readonly Entry[], snapshot: Snapshot | null): Promise<void> {
    if (snapshot !== null) this.installSnapshot(snapshot);
    this.memory.append(entries);
    if (hardState !== null) this.memory.setHardState(hardState);
    return Promise.resolve();
  }

  createSnapshot(index: number, confState: ConfState, data: SnapshotSource | null, entriesKept: number): Promise<Snapshot> {
    // A state machine's bytes in pieces are gathered first; bytes given whole are recorded at once.
    if (data !== null && !(data instanceof Uint8Array)) return sourceBytes(data).then((bytes) => this.createSnapshot(index, confState, bytes, entriesKept));
    const snapshot = this.recordSnapshot(index, confState, data);
    this.memory.compact(Math.max(0, index - entriesKept));
    return Promise.resolve(snapshot);
  }

  isEmpty(): boolean {
    return this.memory.lastIndex() === 0 && this.memory.initialState().hardState.term === 0 && this.memory.snapshot().metadata.index === 0;
  }

  async bootstrap(voters: readonly number[]): Promise<void> {
    assert(this.isEmpty(), 'bootstrap of a non-empty log store');
    const entries = bootstrapEntries(voters);
    await this.save({ term: 1, vote: 0, commit: entries.length }, entries, null);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
