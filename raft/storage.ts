import type { ConfState, Entry, HardState, Snapshot } from './types.js';

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
