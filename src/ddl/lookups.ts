import { CodedError } from '../common/error-codes.js';
import type { CatalogView } from '../meta/catalog-view.js';
import { CollectionState, PartitionState } from '../meta/model.js';
import type { CollectionModel, DatabaseModel, KeyValue } from '../meta/model.js';

/** Shared lookups with Milvus's errors: unknown names become coded errors in one place. */
export function requireDatabase(meta: CatalogView, dbName: string): DatabaseModel {
  const db = meta.databaseByName(dbName);
  if (db === undefined) throw new CodedError('DatabaseNotFound', `database not found[database=${dbName === '' ? 'default' : dbName}]`);
  return db;
}

/** A Created collection by name or alias. */
export function requireCollection(meta: CatalogView, db: DatabaseModel, name: string): CollectionModel {
  const collection = meta.collectionByName(db.id, name);
  if (collection === undefined || collection.state !== CollectionState.Created) {
    throw new CodedError('CollectionNotFound', `collection not found[database=${db.name}][collection=${name}]`);
  }
  return collection;
}

/** The collection with only its Created partitions, as every public read returns it. */
export function visiblePartitions(collection: CollectionModel): CollectionModel {
  return { ...collection, partitions: collection.partitions.filter((p) => p.state === PartitionState.Created) };
}

/** Total Σ(Created partitions × shards) over Created collections (Milvus's general capacity), kept by the MetaTable. */
export function generalCapacityUsed(meta: CatalogView): number {
  return meta.generalCapacityUsed();
}

/** Merge `updates` into `current` (key overwrite) and remove `deleteKeys`. */
export function mergeProperties(current: readonly KeyValue[], updates: readonly KeyValue[], deleteKeys: readonly string[]): KeyValue[] {
  const map = new Map(current.map((kv) => [kv.key, kv.value]));
  for (const kv of updates) map.set(kv.key, kv.value);
  for (const key of deleteKeys) map.delete(key);
  return [...map].map(([key, value]) => ({ key, value }));
}

/** Every update is a property `current` has already, key and value (linear: a scan per update was quadratic). */
export function isSubset(updates: readonly KeyValue[], current: readonly KeyValue[]): boolean {
  const values = new Map<string, Set<string>>();
  for (const c of current) {
    const set = values.get(c.key);
    if (set === undefined) values.set(c.key, new Set([c.value]));
    else set.add(c.value);
  }
  return updates.every((u) => values.get(u.key)?.has(u.value) === true);
}

/** Whether any of `keys` is the key of a property in `current`. */
export function hasAnyKey(current: readonly KeyValue[], keys: readonly string[]): boolean {
  const present = new Set(current.map((c) => c.key));
  return keys.some((k) => present.has(k));
}

/** Request validation shared by AlterDatabase and AlterCollection. */
export function checkAlterRequest(properties: readonly KeyValue[], deleteKeys: readonly string[]): void {
  if (properties.length > 0 && deleteKeys.length > 0) throw new CodedError('ParameterInvalid', 'can not provide properties and deletekeys at the same time');
  if (properties.length === 0 && deleteKeys.length === 0) throw new CodedError('ParameterInvalid', 'no properties or delete keys provided');
  if (properties.some((p) => p.key.startsWith('cipher.')) || deleteKeys.some((k) => k.startsWith('cipher.'))) {
    throw new CodedError('ParameterInvalid', 'can not alter cipher related properties');
  }
}
