import { keys } from './catalog-keys.js';
import { CatalogStorageError } from './versioned-store.js';
import type { StoreOp, VersionedStore } from './versioned-store.js';

/**
 * How many of the latest batches' marks the catalog keeps. LevelDB, as classic-level opens it (no
 * paranoid checks), recovers its write-ahead log by dropping every record whose checksum fails and
 * going on with the next: one damaged record in the middle of the log loses a batch's writes while the
 * batches after it, and the applied index they carry, survive. Raft would never replay what was lost
 * (the applied index is past it), so the replica would serve a catalog without those writes, and
 * differ from the others. Each batch the catalog writer writes carries a mark: its number, in the slot
 * of that number modulo BATCH_MARKS. A start finds every one of the latest BATCH_MARKS numbers in its
 * slot, or refuses: a missing one is a batch lost before a later one that was kept. A lost tail (writes
 * not yet fsynced at a crash) takes its marks with it and is replayed from the Raft log. LevelDB's log
 * (4 MiB, then its memtable goes to a table) holds about 23,000 of the smallest batches (a TSO window's,
 * about 105 bytes with its mark; measured by session 34's review): 65,536 marks cover a whole log
 * whatever the batches, and read in about 0.1 s at a start. Not covered: LevelDB's own batches (a
 * `clear()`'s deletes: a restore's, a cleared restore's) and a format upgrade's at a load.
 */
export const BATCH_MARKS = 65_536;

/** The mark of batch `number` (from 1). */
export function batchMark(number: number): StoreOp {
  return { type: 'put', key: keys.batchMark(number % BATCH_MARKS), value: String(number) };
}

/** The number of the last batch written, once every one of the BATCH_MARKS before it is found. */
export async function lastBatch(store: VersionedStore): Promise<number> {
  // By slot (0: none; a slot out of range or a number that is not one counts as none).
  const marks = new Float64Array(BATCH_MARKS);
  const from = keys.batchMarkPrefix.length;
  let last = 0;
  await store.forEachLive(keys.batchMarkPrefix, (key, value) => {
    const number = Number(value);
    const slot = Number(key.slice(from));
    if (Number.isInteger(slot) && slot >= 0 && slot < BATCH_MARKS) marks[slot] = number;
    if (number > last) last = number;
  });
  const lost: number[] = [];
  for (let number = Math.max(1, last - BATCH_MARKS + 1); number <= last; number++) if (marks[number % BATCH_MARKS] !== number) lost.push(number);
  if (lost.length > 0) {
    const which = lost.length === 1 ? `batch ${lost[0]}` : `${lost.length} batches (${lost[0]} to ${lost[lost.length - 1]})`;
    throw CatalogStorageError.damaged(store.path, 'check', `${which} of the catalog's writes before batch ${last} ${lost.length === 1 ? 'is' : 'are'} missing: LevelDB dropped records it found damaged in its log, and kept later ones`);
  }
  return last;
}

/**
 * The entry index a restore was made as of, if it did not finish: its mark is written (and synced)
 * before the catalog is cleared, and deleted with the restore's last batch (CatalogWriter.replaceAll).
 */
export async function unfinishedRestore(store: VersionedStore): Promise<number | null> {
  const value = await store.getLatest(keys.restoring);
  return value === undefined ? null : Number(value);
}
