import { assert } from './assert.js';
import { LogCompactedError, LogUnavailableError, SnapshotOutOfDateError, SnapshotTemporarilyUnavailableError } from './errors.js';
import type { SnapshotData } from './snapshot-data.js';
import type { Storage } from './storage.js';
import { ConfChangeType, emptyHardState, encodeConfChange, EntryType, limitEntriesBytes } from './types.js';
import type { ConfState, Entry, HardState, Snapshot, SnapshotMetadata } from './types.js';

const emptySnapshot: Snapshot = {
  metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
  data: new Uint8Array(0),
};

/**
 * The first entries of a new cluster's log: one AddVoter per initial voter, committed in term 1 on
 * every initial node alike. Keeping the initial membership in the log (as etcd does) lets a node that
 * joins later with an empty disk learn the whole membership history by replaying from index 1.
 */
export function bootstrapEntries(voters: readonly number[]): Entry[] {
  return voters.map((nodeId, i) => ({
    term: 1,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange({ type: ConfChangeType.AddVoter, nodeId }),
  }));
}

/**
 * Storage kept in memory. Tests and the simulator use it as the "disk"; the durable store keeps one as
 * its in-memory index. `entries[0]` is a dummy holding the snapshot's index and term.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState;
  private snap: Snapshot = emptySnapshot;
  private ents: Entry[] = [{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }];

  /** A fresh storage bootstrapped with the initial voters (see `bootstrapEntries`). */
  static bootstrapped(voters: readonly number[]): MemoryStorage {
    const storage = new MemoryStorage();
    const entries = bootstrapEntries(voters);
    storage.append(entries);
    storage.setHardState({ term: 1, vote: 0, commit: entries.length });
    return storage;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  private get offset(): number {
    return (this.ents[0] as Entry).index;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.offset) throw new LogCompactedError(`entries from ${lo}: compacted up to ${this.offset}`);
    if (hi > this.lastIndex() + 1) throw new LogUnavailableError(`entries to ${hi}: last index is ${this.lastIndex()}`);
    if (this.ents.length === 1) return [];
    return limitEntriesBytes(this.ents.slice(lo - this.offset, hi - this.offset), maxBytes);
  }

  term(index: number): number {
    if (index < this.offset) throw new LogCompactedError(`term of ${index}: compacted up to ${this.offset}`);
    const entry = this.ents[index - this.offset];
    if (entry === undefined) throw new LogUnavailableError(`term of ${index}: last index is ${this.lastIndex()}`);
    return entry.term;
  }

  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replace the whole contents with a snapshot (a follower installing one). */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.metadata.index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(`snapshot ${snapshot.metadata.index} is not newer than ${this.snap.metadata.index}`);
    }
    this.snap = snapshot;
    this.ents = [{ term: snapshot.metadata.term, index: snapshot.metadata.index, type: EntryType.Normal, data: new Uint8Array(0) }];
  }

  /** Drop every entry after the snapshot (replaying a log that was reset to it). */
  truncateAfterSnapshot(): void {
    this.ents = this.ents.slice(0, 1);
  }

  /** Record a snapshot of the state machine at `index` (which must be applied). Does not compact. */
  createSnapshot(index: number, confState: ConfState, data: SnapshotData): Snapshot {
    if (index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(`snapshot at ${index} is not newer than ${this.snap.metadata.index}`);
    }
    assert(index <= this.lastIndex(), `snapshot at ${index} is past the last index ${this.lastIndex()}`);
    this.snap = { metadata: { index, term: this.term(index), confState }, data };
    return this.snap;
  }

  /** The newest snapshot, unchanged but for its data (the same state, now with a copy of it). */
  withSnapshotData(data: SnapshotData): Snapshot {
    this.snap = { metadata: this.snap.metadata, data };
    return this.snap;
  }

  /** Discard entries up to and including `compactIndex`. */
  compact(compactIndex: number): void {
    if (compactIndex <= this.offset) return;
    assert(compactIndex <= this.lastIndex(), `compact ${compactIndex} is past the last index ${this.lastIndex()}`);
    const dummy = this.ents[compactIndex - this.offset] as Entry;
    this.ents = [{ term: dummy.term, index: dummy.index, type: EntryType.Normal, data: new Uint8Array(0) }, ...this.ents.slice(compactIndex - this.offset + 1)];
  }

  /** Append entries, replacing any conflicting suffix. Entries must be contiguous with the log. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const firstIndex = this.firstIndex();
    const lastNew = first.index + entries.length - 1;
    if (lastNew < firstIndex) return;
    const fresh = first.index < firstIndex ? entries.slice(firstIndex - first.index) : entries;
    const start = (fresh[0] as Entry).index - this.offset;
    assert(start <= this.ents.length, `append at ${(fresh[0] as Entry).index} leaves a gap after ${this.lastIndex()}`);
    // In place: a copy of the retained log per append (up to snapshotEntries of them) made the Raft
    // thread collect its old generation four times a second under load. Readers get copies (slices).
    if (start < this.ents.length) this.ents.length = start;
    for (const entry of fresh) this.ents.push(entry);
  }

  /** A deep-enough copy for the simulator's crash model. */
  clone(): MemoryStorage {
    const copy = new MemoryStorage();
    copy.hardState = this.hardState;
    copy.snap = this.snap;
    copy.ents = this.ents.slice();
    return copy;
  }

  /** All retained entries (for checks and tests). */
  allEntries(): Entry[] {
    return this.ents.slice(1);
  }
}

/** A store whose reads are served by an in-memory index (the durable store's, or a simulated disk). */
export abstract class MemoryIndexedStorage implements Storage {
  protected abstract readonly memory: MemoryStorage;
  /**
   * The newest snapshot was recorded without data: its state is the host's state machine itself, kept
   * durable there (see LogStore.createSnapshot). Its data is made only when a peer needs it.
   */
  protected dataInStateMachine = false;
  /** The core asked for the newest snapshot (to send it) while it had no data. */
  private dataWanted = false;

  initialState(): { hardState: HardState; confState: ConfState } {
    return this.memory.initialState();
  }
  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return this.memory.entries(lo, hi, maxBytes);
  }
  term(index: number): number {
    return this.memory.term(index);
  }
  firstIndex(): number {
    return this.memory.firstIndex();
  }
  lastIndex(): number {
    return this.memory.lastIndex();
  }
  /** The newest snapshot; while its data is the state machine's own, SnapshotTemporarilyUnavailableError (and the data is wanted). */
  snapshot(): Snapshot {
    if (this.dataInStateMachine) {
      this.dataWanted = true;
      throw new SnapshotTemporarilyUnavailableError(`snapshot ${this.memory.snapshot().metadata.index} has no data yet: it is being made`);
    }
    return this.memory.snapshot();
  }

  newestSnapshot(): { readonly metadata: SnapshotMetadata; readonly data: SnapshotData | null } {
    const snapshot = this.memory.snapshot();
    return { metadata: snapshot.metadata, data: this.dataInStateMachine ? null : snapshot.data };
  }

  takeSnapshotDataWanted(): boolean {
    const wanted = this.dataWanted;
    this.dataWanted = false;
    return wanted;
  }

  /**
   * Record a snapshot in memory: `data` null for one whose data is the state machine's own; data for
   * the index of such a snapshot fills it in (the same state, now with a copy to send).
   */
  protected recordSnapshot(index: number, confState: ConfState, data: SnapshotData | null): Snapshot {
    const fillsIn = data !== null && this.dataInStateMachine && index === this.memory.snapshot().metadata.index;
    const snapshot = fillsIn ? this.memory.withSnapshotData(data) : this.memory.createSnapshot(index, confState, data ?? new Uint8Array(0));
    this.dataInStateMachine = data === null;
    return snapshot;
  }

  /** A snapshot from the leader (with its data) replaces the log. */
  protected installSnapshot(snapshot: Snapshot): void {
    this.memory.applySnapshot(snapshot);
    this.dataInStateMachine = false;
  }
}
