import type { CatalogView } from '../meta/catalog-view.js';
import { CodedError } from '../common/error-codes.js';
import { CollectionState } from '../meta/model.js';
import type { PartitionModel } from '../meta/model.js';
import { requireCollection, requireDatabase, visiblePartitions } from '../ddl/lookups.js';

/** HasPartition: the collection must exist (100); only Created partitions count. */
export function hasPartition(meta: CatalogView, dbName: string, collectionName: string, partitionName: string): boolean {
  const collection = visiblePartitions(requireCollection(meta, requireDatabase(meta, dbName), collectionName));
  return collection.partitions.some((p) => p.partitionName === partitionName);
}

/**
 * ShowPartitions: the Created partitions, in stored order. By `collectionID` when no name is given
 * (Milvus's QueryCoord and DataCoord ask ShowPartitionsInternal that way), whatever the database.
 */
export function showPartitions(meta: CatalogView, dbName: string, collectionName: string, collectionID = 0n): PartitionModel[] {
  if (collectionName === '' && collectionID > 0n) {
    const collection = meta.collections.get(collectionID);
    if (collection === undefined || collection.state !== CollectionState.Created) throw new CodedError('CollectionNotFound', `collection not found[collection=${collectionID}]`);
    return [...visiblePartitions(collection).partitions];
  }
  return [...visiblePartitions(requireCollection(meta, requireDatabase(meta, dbName), collectionName)).partitions];
}
