import type { SnapshotData, SnapshotSource } from './snapshot-data.js';
import type { ConfState, Entry, HardState, Snapshot, SnapshotMetadata } from './types.js';

/**
 * The core's read-only view of what the host has persisted. Entries in [firstIndex, lastIndex] are
 * available; the entry at firstIndex - 1 is the last one covered by the snapshot, and only its term is
 * known. Reads below that throw LogCompactedError; reads past lastIndex throw LogUnavailableError.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most maxBytes in total but always at least one. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot; may throw SnapshotTemporarilyUnavailableError while one is being made. */
  snapshot(): Snapshot;
}

/**
 * What a RaftNode persists to: the core's view plus the writes of the Ready loop. DurableStorage keeps
 * it on disk (the real one, or a simulated one: raft/sim/simulated-file-system.ts, under both
 * simulators); MemoryLogStore keeps it in memory.
 */
export interface LogStore extends Storage {
  /** Persist a Ready's hard state, entries and snapshot; with `sync` false the write may be lost in a crash. */
  save(hardState: HardState | null, entries: readonly Entry[], snapshot: Snapshot | null, sync?: boolean): Promise<void>;
  /**
   * Record a snapshot of the host's state at `index` and compact the log up to `index - entriesKept`.
   * `data` null records the index only: the host's state machine holds that state durably itself (see
   * StateMachine.persist), and `snapshot()` answers SnapshotTemporarilyUnavailableError until data for
   * it (or a later index) is recorded, after `takeSnapshotDataWanted()` said a peer needs it.
   */
  createSnapshot(index: number, confState: ConfState, data: SnapshotSource | null, entriesKept: number): Promise<Snapshot>;
  /** The newest snapshot's metadata, and its data (null when the state machine holds it). */
  newestSnapshot(): { readonly metadata: SnapshotMetadata; readonly data: SnapshotData | null };
  /** True once since the core last asked for a snapshot (to send to a peer) that had no data. */
  takeSnapshotDataWanted(): boolean;
  /** True when nothing was ever persisted. */
  isEmpty(): boolean;
  /** Write the initial membership of a new cluster. */
  bootstrap(voters: readonly number[]): Promise<void>;
  close(): Promise<void>;
}
