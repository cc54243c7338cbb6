import type { MetaTable } from '../../meta/meta-table.js';
import type { PartitionModel } from '../../meta/model.js';
import { requireCollection, requireDatabase, visiblePartitions } from '../lookups.js';

/** HasPartition: the collection must exist (100); only Created partitions count. */
export function hasPartition(meta: MetaTable, dbName: string, collectionName: string, partitionName: string): boolean {
  const collection = visiblePartitions(requireCollection(meta, requireDatabase(meta, dbName), collectionName));
  return collection.partitions.some((p) => p.partitionName === partitionName);
}

/** ShowPartitions: the Created partitions, in stored order. */
export function showPartitions(meta: MetaTable, dbName: string, collectionName: string): PartitionModel[] {
  return [...visiblePartitions(requireCollection(meta, requireDatabase(meta, dbName), collectionName)).partitions];
}
