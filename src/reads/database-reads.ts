import type { CatalogView } from '../meta/catalog-view.js';
import type { DatabaseModel } from '../meta/model.js';
import { requireDatabase } from '../ddl/lookups.js';

/** ListDatabases: every Created database, in ID order. */
export function listDatabases(meta: CatalogView): DatabaseModel[] {
  return meta.listDatabases();
}

/** DescribeDatabase: DatabaseNotFound (800) for an unknown name. */
export function describeDatabase(meta: CatalogView, dbName: string): DatabaseModel {
  return requireDatabase(meta, dbName);
}
