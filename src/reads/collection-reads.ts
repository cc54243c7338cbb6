import { CodedError } from '../common/error-codes.js';
import type { CatalogView } from '../meta/catalog-view.js';
import { CollectionState } from '../meta/model.js';
import type { AliasModel, CollectionModel, DatabaseModel } from '../meta/model.js';
import { requireDatabase, visiblePartitions } from '../ddl/lookups.js';

/** A collection as of `ts` (0: latest) by name or alias; only Created ones are visible. */
async function resolveAt(meta: CatalogView, db: DatabaseModel, name: string, ts: bigint): Promise<{ collection: CollectionModel; aliases: string[] } | undefined> {
  if (ts === 0n) {
    const c = meta.collectionByName(db.id, name);
    if (c === undefined || c.state !== CollectionState.Created) return undefined;
    return { collection: c, aliases: meta.aliasesOfCollection(c.collectionID) };
  }
  const [collections, aliases] = await Promise.all([meta.collectionsAt(db.id, ts), meta.aliasesAt(db.id, ts)]);
  const alias: AliasModel | undefined = aliases.find((a) => a.name === name);
  const collection = collections.find((c) => c.state === CollectionState.Created && (alias === undefined ? c.name === name : c.collectionID === alias.collectionID));
  if (collection === undefined) return undefined;
  return { collection, aliases: aliases.filter((a) => a.collectionID === collection.collectionID).map((a) => a.name).sort() };
}

/** HasCollection: never an error for "not found"; an unknown database is not found either. */
export async function hasCollection(meta: CatalogView, dbName: string, name: string, ts: bigint): Promise<boolean> {
  const db = meta.databaseByName(dbName);
  if (db === undefined) return false;
  return (await resolveAt(meta, db, name, ts)) !== undefined;
}

export interface DescribedCollection {
  readonly db: DatabaseModel;
  readonly collection: CollectionModel;
  readonly aliases: string[];
}

/** DescribeCollection by name or alias (or by ID when `collectionID` is set); 100 when not visible. */
export async function describeCollection(meta: CatalogView, dbName: string, name: string, collectionID: bigint, ts: bigint): Promise<DescribedCollection> {
  if (collectionID > 0n && name === '') {
    const c = meta.collections.get(collectionID);
    const db = c === undefined ? undefined : meta.databases.get(c.dbID);
    if (c === undefined || db === undefined || c.state !== CollectionState.Created) throw new CodedError('CollectionNotFound', `collection not found[collection=${collectionID}]`);
    return { db, collection: visiblePartitions(c), aliases: meta.aliasesOfCollection(c.collectionID) };
  }
  const db = requireDatabase(meta, dbName);
  const found = await resolveAt(meta, db, name, ts);
  if (found === undefined) throw new CodedError('CollectionNotFound', `collection not found[database=${db.name}][collection=${name}]`);
  return { db, collection: visiblePartitions(found.collection), aliases: found.aliases };
}

/** ShowCollections: the Created collections of a database as of `ts`, in creation order. */
export async function showCollections(meta: CatalogView, dbName: string, ts: bigint): Promise<CollectionModel[]> {
  const db = requireDatabase(meta, dbName);
  const all = ts === 0n ? meta.collectionsOf(db.id) : await meta.collectionsAt(db.id, ts);
  return all.filter((c) => c.state === CollectionState.Created);
}
