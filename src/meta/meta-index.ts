import { StringMap } from '../common/string-map.js';
import { getOrAdd } from '../common/maps.js';
import { CollectionTable, createdOf } from './collection-table.js';
import type { CollectionSummary, PendingCollection } from './collection-table.js';
import { FieldInterner } from './field-interner.js';
import { FieldLists } from './field-lists.js';
import { CollectionState, DatabaseState, PartitionState } from './model.js';
import type { AliasModel, CollectionModel, DatabaseModel, PartitionModel } from './model.js';

export function isCreated(partition: PartitionModel): number {
  return partition.state === PartitionState.Created ? 1 : 0;
}

/** Whether a collection in `state` keeps its name from others (the applier refuses a second such owner). */
export function holdsName(state: CollectionState | undefined): boolean {
  return state === CollectionState.Created || state === CollectionState.Creating;
}

/**
 * The in-memory index of the latest catalog (databases, collections with their fields and partitions,
 * names, aliases, request IDs, members, the TSO and ID windows, the applied index) and the latest
 * reads served from it. It changes only through the command applier (command-applier.ts) and the
 * catalog loader (catalog-load.ts); the RBAC state has an index of its own (RbacTable).
 */
export class MetaIndex {
  readonly databases = new Map<bigint, DatabaseModel>();
  /** By ID and by database; a collection loaded at a start is decoded when first read (CollectionTable). */
  readonly collections = new CollectionTable();
  readonly dbIdByName = new Map<string, bigint>();
  /**
   * dbID -> collection name -> collection ID: the Created or Creating collection of that name if there
   * is one (at most one), else one of the Dropping or Dropped ones (which one may differ after a
   * restart: no precondition and no read depends on it; indexCollection).
   */
  readonly names = new Map<bigint, StringMap<bigint>>();
  readonly aliasesByDb = new Map<bigint, Map<string, AliasModel>>();
  /**
   * Kept up to date as commands apply, so that no DDL scans the whole catalog (the collections of a db
   * are kept by the CollectionTable): the Created collections per db; Σ(Created partitions × shards)
   * and Σ Created partitions over Created collections (general capacity, the partitions available);
   * references per physical channel; collectionID -> its aliases (dbID + NUL + name -> name).
   */
  private readonly createdCollectionsByDb = new Map<bigint, number>();
  private capacityUsed = 0;
  private partitionsAvailable = 0;
  private readonly channelRefs = new Map<string, number>();
  private readonly aliasesByCollection = new Map<bigint, Map<string, string>>();
  /** Request IDs that took effect -> the timestamp they were recorded at (in no particular order: expiry looks at every one). */
  readonly requests = new StringMap<bigint>();
  /** Members added at runtime: id -> conf change context (their addresses). */
  readonly members = new Map<number, string>();
  /** Field definitions shared by the collections that have them. */
  readonly fields = new FieldInterner();
  /** Which stored field list each collection names (catalog bookkeeping, not served). */
  readonly fieldLists = new FieldLists(this.fields);
  tsoWindowMs = 0n;
  idUpTo = 0n;
  /** The last entry this memory reflects (0 while the catalog is being loaded). */
  appliedIndex = 0;
  /**
   * The largest timestamp of a command applied since this process started (0 before the first): a
   * read that sees the catalog at this point reflects no DDL later than it (DescribeCollection's
   * request_time). Memory only: after a restart the clock bounds it until the next command.
   */
  latestCommandTs = 0n;

  /** Forget everything (before a load). */
  clear(): void {
    this.databases.clear();
    this.collections.clear();
    this.createdCollectionsByDb.clear();
    this.capacityUsed = 0;
    this.partitionsAvailable = 0;
    this.channelRefs.clear();
    this.aliasesByCollection.clear();
    this.dbIdByName.clear();
    this.names.clear();
    this.aliasesByDb.clear();
    this.requests.clear();
    this.members.clear();
    this.fieldLists.clear();
  }

  // ---- changes ----

  indexDatabase(database: DatabaseModel): void {
    const previous = this.databases.get(database.id);
    if (previous !== undefined && previous.name !== database.name) this.dbIdByName.delete(previous.name);
    this.databases.set(database.id, database);
    this.dbIdByName.set(database.name, database.id);
  }

  /** Remove a database, its names and its aliases (the caller unindexes each alias first). */
  unindexDatabase(database: DatabaseModel): void {
    this.databases.delete(database.id);
    this.dbIdByName.delete(database.name);
    this.aliasesByDb.delete(database.id);
    this.names.delete(database.id);
  }

  /** Index a collection: decoded, or loaded and decoded when first read (PendingCollection). */
  indexCollection(collection: CollectionModel | PendingCollection): void {
    this.collections.set(collection);
    this.countCollection(collection, 1);
    const names = getOrAdd(this.names, collection.dbID, () => new StringMap<bigint>());
    // A name that a Created or Creating collection holds stays with it: the applier gives such a name
    // to no other collection, so only a load (in key order) could, and a restarted replica would then
    // decide preconditions on the name (another collection's, an alias's, a state change's) unlike
    // the others. A name only Dropping or Dropped collections hold goes to the latest.
    const owner = names.get(collection.name);
    if (owner === undefined || owner === collection.collectionID || !holdsName(this.collections.summary(owner)?.state)) names.set(collection.name, collection.collectionID);
  }

  /** Replace an indexed collection's model with `collection` (the same ID, db, name and state: its partitions changed). */
  replaceCollection(collection: CollectionModel): void {
    this.collections.set(collection);
  }

  unindexCollection(collection: CollectionModel): void {
    this.countCollection(collection, -1);
    this.collections.delete(collection.collectionID);
    const names = this.names.get(collection.dbID);
    // A re-created collection may own the name now; only remove the mapping if it is still ours.
    if (names?.get(collection.name) === collection.collectionID) names.delete(collection.name);
  }

  /** Add (sign 1) or remove (sign -1) a collection's share of the counts kept per db, capacity and channel. */
  private countCollection(collection: CollectionModel | PendingCollection, sign: 1 | -1): void {
    if (collection.state === CollectionState.Created) {
      this.createdCollectionsByDb.set(collection.dbID, (this.createdCollectionsByDb.get(collection.dbID) ?? 0) + sign);
      if (this.createdCollectionsByDb.get(collection.dbID) === 0) this.createdCollectionsByDb.delete(collection.dbID);
      const created = createdOf(collection);
      this.capacityUsed += sign * created * collection.shardsNum;
      this.partitionsAvailable += sign * created;
    }
    for (const p of collection.physicalChannelNames) {
      const refs = (this.channelRefs.get(p) ?? 0) + sign;
      if (refs === 0) this.channelRefs.delete(p);
      else this.channelRefs.set(p, refs);
    }
  }

  /** A collection's Created partitions changed by `delta` (its partitions are replaced in `collections` by the caller). */
  countCreated(collectionID: bigint, delta: number): void {
    if (delta === 0) return;
    const collection: CollectionSummary | undefined = this.collections.summary(collectionID);
    if (collection?.state === CollectionState.Created) {
      this.capacityUsed += delta * collection.shardsNum;
      this.partitionsAvailable += delta;
    }
  }

  indexAlias(alias: AliasModel): void {
    const aliases = getOrAdd(this.aliasesByDb, alias.dbID, () => new Map());
    const previous = aliases.get(alias.name);
    if (previous !== undefined) this.unindexAlias(previous);
    aliases.set(alias.name, alias);
    getOrAdd(this.aliasesByCollection, alias.collectionID, () => new Map()).set(`${alias.dbID}\0${alias.name}`, alias.name);
  }

  /** Remove an alias from the per-collection index (the caller removes it from aliasesByDb). */
  unindexAlias(alias: AliasModel): void {
    const ofCollection = this.aliasesByCollection.get(alias.collectionID);
    ofCollection?.delete(`${alias.dbID}\0${alias.name}`);
    if (ofCollection?.size === 0) this.aliasesByCollection.delete(alias.collectionID);
  }

  /**
   * What this index keeps up to date beside the collections and aliases (so that no DDL scans them),
   * as a copy: a replica check compares it with what a load of its store makes (memory-check.ts).
   */
  derivedState(): Record<string, unknown> {
    return {
      createdCollectionsByDb: new Map(this.createdCollectionsByDb),
      capacityUsed: this.capacityUsed,
      partitionsAvailable: this.partitionsAvailable,
      channelRefs: new Map(this.channelRefs),
      aliasesByCollection: new Map([...this.aliasesByCollection].map(([id, aliases]) => [id, new Map(aliases)])),
      fieldLists: this.fieldLists.storedKeys(),
    };
  }

  // ---- counts ----

  /** Created collections in a db, or in all (without scanning them). */
  createdCollectionCount(dbID?: bigint): number {
    if (dbID !== undefined) return this.createdCollectionsByDb.get(dbID) ?? 0;
    let created = 0;
    for (const inDb of this.createdCollectionsByDb.values()) created += inDb;
    return created;
  }

  /** Σ(Created partitions × shards) over Created collections: Milvus's general capacity in use (without scanning). */
  generalCapacityUsed(): number {
    return this.capacityUsed;
  }

  /** How many collections (any state) use each physical channel that any uses. */
  channelReferences(): ReadonlyMap<string, number> {
    return this.channelRefs;
  }

  /** Σ Created partitions over Created collections (Milvus's partition count metric, without scanning). */
  availablePartitionCount(): number {
    return this.partitionsAvailable;
  }

  /** How many Created partitions the collection has. */
  createdPartitionCount(collectionID: bigint): number {
    return this.collections.createdPartitionCount(collectionID);
  }

  // ---- latest reads ----

  /** Whether a client request with this ID has taken effect (and is not yet expired). */
  requestTookEffect(requestId: string): boolean {
    return this.requests.has(requestId);
  }

  databaseByName(name: string): DatabaseModel | undefined {
    const id = this.dbIdByName.get(name === '' ? 'default' : name);
    return id === undefined ? undefined : this.databases.get(id);
  }

  listDatabases(): DatabaseModel[] {
    return [...this.databases.values()].filter((d) => d.state === DatabaseState.Created).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** The collection a name refers to in a db: aliases first, then names; any state. */
  collectionByName(dbID: bigint, name: string): CollectionModel | undefined {
    const alias = this.aliasesByDb.get(dbID)?.get(name);
    if (alias !== undefined) return this.collections.get(alias.collectionID);
    const id = this.names.get(dbID)?.get(name);
    return id === undefined ? undefined : this.collections.get(id);
  }

  collectionNameOwner(dbID: bigint, name: string): CollectionModel | undefined {
    const id = this.names.get(dbID)?.get(name);
    return id === undefined ? undefined : this.collections.get(id);
  }

  /** The collections of a db (any state), oldest first; from the per-db index, so its cost is that db's size. */
  collectionsOf(dbID: bigint): CollectionModel[] {
    const list = this.collections.ofDb(dbID);
    // Usually in order already (the per-db map holds them in the order they were created or loaded):
    // a pass to check costs half a sort of 200,000.
    for (let i = 1; i < list.length; i++) {
      if ((list[i - 1] as CollectionModel).createTs > (list[i] as CollectionModel).createTs) {
        return list.sort((a, b) => (a.createTs < b.createTs ? -1 : a.createTs > b.createTs ? 1 : 0));
      }
    }
    return list;
  }

  alias(dbID: bigint, name: string): AliasModel | undefined {
    return this.aliasesByDb.get(dbID)?.get(name);
  }

  aliasesOf(dbID: bigint): AliasModel[] {
    return [...(this.aliasesByDb.get(dbID)?.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  }

  aliasesOfCollection(collectionID: bigint): string[] {
    return [...(this.aliasesByCollection.get(collectionID)?.values() ?? [])].sort();
  }
}
