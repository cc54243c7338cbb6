import { assert } from './assert.js';
import { LogCompactedError, LogUnavailableError } from './errors.js';
import type { Storage } from './storage.js';
import { limitEntriesBytes } from './types.js';
import type { Entry, Snapshot } from './types.js';
import { UnstableLog } from './unstable-log.js';

/**
 * The core's view of the log: persisted entries in Storage followed by unstable ones not yet persisted.
 * Tracks the commit index and the applied index; `applied <= committed <= lastIndex` always holds.
 */
export class RaftLog {
  readonly unstable: UnstableLog;
  committed: number;
  applied: number;

  constructor(
    readonly storage: Storage,
    private readonly maxApplyBytes: number,
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new UnstableLog(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const term = this.termOrNull(this.lastIndex());
    assert(term !== null, `term of the last index ${this.lastIndex()} is unknown`);
    return term;
  }

  /** The highest index that is known to be persisted (entries beyond it are still unstable). */
  persistedIndex(): number {
    if (this.unstable.snapshot !== null) return this.unstable.snapshot.metadata.index - 1;
    return Math.min(this.unstable.offset - 1, this.storage.lastIndex());
  }

  /** The term at `index`, or null when it is compacted away or past the end of the log. */
  termOrNull(index: number): number | null {
    const dummyIndex = this.firstIndex() - 1;
    if (index < dummyIndex || index > this.lastIndex()) return null;
    const unstableTerm = this.unstable.maybeTerm(index);
    if (unstableTerm !== null) return unstableTerm;
    try {
      return this.storage.term(index);
    } catch (error) {
      if (error instanceof LogCompactedError || error instanceof LogUnavailableError) return null;
      throw error;
    }
  }

  matchTerm(index: number, term: number): boolean {
    return this.termOrNull(index) === term;
  }

  isUpToDate(lastIndex: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Append `entries` that follow (index, logTerm) if our log matches there. Returns the index of the
   * last new entry, or null on a mismatch.
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: readonly Entry[]): number | null {
    if (!this.matchTerm(index, logTerm)) return null;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, `entry ${conflict} conflicts with a committed entry (committed ${this.committed})`);
      this.append(entries.slice(conflict - index - 1));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    assert(first.index - 1 >= this.committed, `append after ${first.index - 1} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** The first index whose term differs from ours (or that we lack), or 0 if all match. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`: where a leader should probe next after a
   * rejection, skipping a whole term of conflicting entries in one round trip.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = Math.min(index, this.lastIndex()); i >= 0; i--) {
      const ourTerm = this.termOrNull(i);
      if (ourTerm === null) return { index: i, term: 0 };
      if (ourTerm <= term) return { index: i, term: ourTerm };
    }
    return { index: 0, term: 0 };
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > this.applied && this.unstable.snapshot === null;
  }

  nextCommittedEntries(): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    return this.slice(this.applied + 1, this.committed + 1, this.maxApplyBytes);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.termOrNull(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  commitTo(commit: number): void {
    if (commit <= this.committed) return;
    assert(commit <= this.lastIndex(), `commit ${commit} is past the last index ${this.lastIndex()}`);
    this.committed = commit;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    assert(index <= this.committed && index >= this.applied, `applied ${index} outside [${this.applied}, ${this.committed}]`);
    this.applied = index;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapshotTo(index: number): void {
    this.unstable.stableSnapshotTo(index);
  }

  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** Entries from `lo` to the end, at most maxBytes. Throws LogCompactedError if lo is compacted. */
  entriesFrom(lo: number, maxBytes: number): Entry[] {
    if (lo > this.lastIndex()) return [];
    return this.slice(lo, this.lastIndex() + 1, maxBytes);
  }

  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo < this.firstIndex()) throw new LogCompactedError(`slice from ${lo}: first index is ${this.firstIndex()}`);
    assert(hi <= this.lastIndex() + 1 && lo <= hi, `slice [${lo}, ${hi}) out of bounds (last ${this.lastIndex()})`);
    if (lo === hi) return [];
    const unstableStart = this.unstable.offset;
    let result: Entry[] = [];
    if (lo < unstableStart) {
      result = this.storage.entries(lo, Math.min(hi, unstableStart), maxBytes);
      if (result.length < Math.min(hi, unstableStart) - lo) return result;
    }
    if (hi > unstableStart) {
      const tail = this.unstable.slice(Math.max(lo, unstableStart), hi);
      result = result.length === 0 ? tail : result.concat(tail);
    }
    return limitEntriesBytes(result, maxBytes);
  }
}
