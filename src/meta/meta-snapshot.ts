import { snapshotPieces } from '../../raft/snapshot-data.js';
import type { SnapshotData } from '../../raft/snapshot-data.js';
import { isReplicaLocal } from './catalog-keys.js';
import { decodeCatalogSnapshot, encodeCatalogSnapshot } from './catalog-snapshot.js';
import type { BlockCodec } from './catalog-snapshot.js';
import type { CatalogWriter } from './catalog-writer.js';
import { CatalogRecordError, CollectionRecords, UNREADABLE_RECORD_IN_SNAPSHOT } from './collection-records.js';
import type { FieldInterner } from './field-interner.js';
import type { VersionedStore } from './versioned-store.js';

/**
 * Capture the catalog as of now (everything applied so far, nothing applied later) and return what
 * encodes it: the capture is a LevelDB snapshot, so applying may go on while the bytes are made, in
 * batches that leave the event loop free between them (catalog-snapshot.ts).
 */
export async function captureCatalog(store: VersionedStore, writer: CatalogWriter, codec: BlockCodec): Promise<() => AsyncGenerator<Uint8Array>> {
  await writer.flushed();
  const batches = store.scan();
  return () => encodeCatalogSnapshot(batches, isReplicaLocal, codec);
}

/**
 * Replace the catalog with a snapshot's, as of entry `index`, and return its collections, gathered
 * from the records as they are written, not read back after (the caller loads the index from them).
 */
export async function restoreCatalog(data: SnapshotData, index: number, store: VersionedStore, writer: CatalogWriter, fields: FieldInterner, codec: BlockCodec): Promise<CollectionRecords> {
  // Fields only from the store, once written, and only for a collection that names no stored field list;
  // every record checked as it comes (a bad one stops the install before the snapshot is applied).
  const records = new CollectionRecords(fields, true, true);
  async function* gathered(): AsyncGenerator<ReadonlyArray<readonly [string, string]>> {
    // A big snapshot is read from its file a piece at a time, as it is decoded.
    for await (const batch of decodeCatalogSnapshot(data instanceof Uint8Array ? data : snapshotPieces(data), codec)) {
      for (const [key, value] of batch) records.add(key, value);
      yield batch;
    }
  }
  try {
    await writer.replaceAll(gathered(), index);
    await records.readFieldsIfNeeded(store);
  } catch (error) {
    throw error instanceof CatalogRecordError ? error.withAdvice(UNREADABLE_RECORD_IN_SNAPSHOT) : error;
  }
  return records;
}
