import { CodedError } from '../common/error-codes.js';
import type { CatalogView } from '../meta/catalog-view.js';
import { CollectionState } from '../meta/model.js';
import { requireDatabase } from '../ddl/lookups.js';
import { aliasTarget } from '../ddl/tasks/alias-rules.js';

/** DescribeAlias: 1101 for an empty alias, 800 for a missing database, 1600 for a missing alias. */
export function describeAlias(meta: CatalogView, dbName: string, alias: string): { dbName: string; alias: string; collection: string } {
  if (alias === '') throw new CodedError('ParameterMissing', 'alias name is required');
  const db = requireDatabase(meta, dbName);
  const found = meta.alias(db.id, alias);
  const collection = found === undefined ? undefined : meta.collections.get(found.collectionID);
  if (found === undefined || collection === undefined || collection.state !== CollectionState.Created) {
    throw new CodedError('AliasNotFound', `alias not found[database=${db.name}][alias=${alias}]`);
  }
  return { dbName: db.name, alias, collection: collection.name };
}

/** ListAliases: all aliases of Created collections in a db, or of one real collection. */
export function listAliases(meta: CatalogView, dbName: string, collectionName: string): string[] {
  const db = requireDatabase(meta, dbName);
  if (collectionName !== '') return meta.aliasesOfCollection(aliasTarget(meta, db, collectionName).collectionID);
  return meta
    .aliasesOf(db.id)
    .filter((a) => meta.collections.get(a.collectionID)?.state === CollectionState.Created)
    .map((a) => a.name);
}
