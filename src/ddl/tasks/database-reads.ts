import type { MetaTable } from '../../meta/meta-table.js';
import type { DatabaseModel } from '../../meta/model.js';
import { requireDatabase } from '../lookups.js';

/** ListDatabases: every Created database, in ID order. */
export function listDatabases(meta: MetaTable): DatabaseModel[] {
  return meta.listDatabases();
}

/** DescribeDatabase: DatabaseNotFound (800) for an unknown name. */
export function describeDatabase(meta: MetaTable, dbName: string): DatabaseModel {
  return requireDatabase(meta, dbName);
}
