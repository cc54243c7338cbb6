import type { RbacView } from '../rbac/rbac-table.js';
import type { CollectionsView } from './collection-table.js';
import type { AliasModel, CollectionModel, DatabaseModel } from './model.js';

/**
 * The catalog as tasks, reads, handlers and metrics see it: the MetaTable's read methods and nothing
 * that changes it (no apply, no store, no abandon). Commands change the catalog, through Raft only.
 */
export interface CatalogView {
  readonly databases: ReadonlyMap<bigint, DatabaseModel>;
  readonly collections: CollectionsView;
  /** Users, roles, grants and privilege groups. */
  readonly rbac: RbacView;
  /** The last Raft index applied to the catalog. */
  readonly appliedIndex: number;
  /** The persisted TSO window (physical ms) and ID high-water mark. */
  readonly tsoWindowMs: bigint;
  readonly idUpTo: bigint;
  /** The largest timestamp of a command applied since this process started (see MetaTable). */
  readonly latestCommandTs: bigint;
  databaseByName(name: string): DatabaseModel | undefined;
  listDatabases(): DatabaseModel[];
  collectionByName(dbID: bigint, name: string): CollectionModel | undefined;
  collectionNameOwner(dbID: bigint, name: string): CollectionModel | undefined;
  collectionsOf(dbID: bigint): CollectionModel[];
  alias(dbID: bigint, name: string): AliasModel | undefined;
  aliasesOf(dbID: bigint): AliasModel[];
  aliasesOfCollection(collectionID: bigint): string[];
  /** Time travel: the collections and aliases of a database as of `ts`. */
  collectionsAt(dbID: bigint, ts: bigint): Promise<CollectionModel[]>;
  aliasesAt(dbID: bigint, ts: bigint): Promise<AliasModel[]>;
  createdCollectionCount(dbID?: bigint): number;
  createdPartitionCount(collectionID: bigint): number;
  availablePartitionCount(): number;
  generalCapacityUsed(): number;
  channelReferences(): ReadonlyMap<string, number>;
  requestTookEffect(requestId: string): boolean;
}
