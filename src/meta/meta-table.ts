import { createHash } from 'node:crypto';
import { assert } from '../../raft/assert.js';
import { parse, stringify } from '../common/bigint-json.js';
import { getOrAdd, sortedByKey } from '../common/maps.js';
import { CATALOG_FORMAT, fromKeyPart, keys, parseVersionKey, SNAPSHOT_PREFIX, TOMBSTONE, versionKey } from './catalog-keys.js';
import { CollectionRecords } from './collection-records.js';
import type { MetaCommand } from './commands.js';
import { FieldInterner } from './field-interner.js';
import { CollectionState, DatabaseState, PartitionState } from './model.js';
import type { AliasModel, CollectionModel, DatabaseModel, FieldModel, FunctionModel, PartitionModel, StructArrayFieldModel } from './model.js';
import { RbacTable } from '../rbac/rbac-table.js';
import { decodeCatalogSnapshot, encodeCatalogSnapshot } from './catalog-snapshot.js';
import { VersionedStore } from './versioned-store.js';
import type { StoreOp } from './versioned-store.js';

/** What applying a command reports back to its proposer: nothing, or why a precondition failed. */
export type ApplyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: ApplyResult = { ok: true };
/** LevelDB writes trail the in-memory state by at most this long, or this many buffered operations. */
const WRITE_DELAY_MS = 50;
const WRITE_BUFFER_OPS_MAX = 5000;

/** What of a collection is kept under keys of its own, one per item (Milvus's layout), besides its partitions. */
type Child = FieldModel | FunctionModel | StructArrayFieldModel;

function childId(item: Child): bigint {
  return 'fieldID' in item ? item.fieldID : item.id;
}

/** The child kinds and the key of one item of each. */
const CHILD_KINDS = [
  { kind: 'fields', key: keys.field, prefix: keys.fieldPrefix },
  { kind: 'functions', key: keys.function, prefix: keys.functionPrefix },
  { kind: 'structArrayFields', key: keys.structArrayField, prefix: keys.structArrayFieldPrefix },
] as const;

function childrenOf(collection: CollectionModel): Record<(typeof CHILD_KINDS)[number]['kind'], readonly Child[]> {
  return { fields: collection.fields, functions: collection.functions ?? [], structArrayFields: collection.structArrayFields ?? [] };
}

function isCreated(partition: PartitionModel): number {
  return partition.state === PartitionState.Created ? 1 : 0;
}

function createdPartitions(collection: CollectionModel): number {
  let created = 0;
  for (const p of collection.partitions) created += isCreated(p);
  return created;
}

/**
 * The metadata of the cluster: an in-memory index of the latest state (databases, collections with
 * their fields and partitions, names, aliases, the TSO and ID windows) over a LevelDB catalog with
 * versioned keys for reads at a past timestamp. `apply` is deterministic and writes the applied index
 * in the same batch as the data, so a restart never applies an entry twice.
 */
export class MetaTable {
  readonly databases = new Map<bigint, DatabaseModel>();
  readonly collections = new Map<bigint, CollectionModel>();
  private readonly dbIdByName = new Map<string, bigint>();
  /** dbID -> collection name -> collection ID (latest owner of the name, any state). */
  private readonly names = new Map<bigint, Map<string, bigint>>();
  private readonly aliasesByDb = new Map<bigint, Map<string, AliasModel>>();
  /**
   * Kept up to date as commands apply, so that no DDL scans the whole catalog: dbID -> its collections
   * (any state); the Created collections per db; Σ(Created partitions × shards) over
   * Created collections (general capacity); references per physical channel; collectionID -> its
   * aliases (dbID + NUL + name -> name).
   */
  private readonly collectionIdsByDb = new Map<bigint, Set<bigint>>();
  private readonly createdCollectionsByDb = new Map<bigint, number>();
  private capacityUsed = 0;
  private readonly channelRefs = new Map<string, number>();
  private readonly aliasesByCollection = new Map<bigint, Map<string, string>>();
  /** Request IDs that took effect -> the timestamp they were recorded at, oldest first (apply order). */
  private readonly requests = new Map<string, bigint>();
  /** Members added at runtime: id -> conf change context (their addresses). */
  readonly members = new Map<number, string>();
  /** Users, roles, grants and privilege groups. */
  readonly rbac = new RbacTable();
  /** Field definitions shared by the collections that have them. */
  private readonly fields = new FieldInterner();
  tsoWindowMs = 0n;
  idUpTo = 0n;
  appliedIndex = 0;
  /**
   * The largest timestamp of a command applied since this process started (0 before the first): a
   * read that sees the catalog at this point reflects no DDL later than it (DescribeCollection's
   * request_time). Memory only: after a restart the clock bounds it until the next command.
   */
  latestCommandTs = 0n;
  private pendingWrite: Promise<void> = Promise.resolve();
  private buffered: StoreOp[] = [];
  private bufferedIndex = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private writeError: Error | null = null;

  private constructor(readonly store: VersionedStore) {}

  static async open(path: string): Promise<MetaTable> {
    const table = new MetaTable(await VersionedStore.open(path));
    await table.load();
    return table;
  }

  /** Over an open store (a whole-node simulation keeps its in-memory store across a node's crash). */
  static async over(store: VersionedStore): Promise<MetaTable> {
    const table = new MetaTable(store);
    await table.load();
    return table;
  }

  /** A crash: the writes not yet handed to the store are lost, and nothing more is written. */
  abandon(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.buffered = [];
    this.writeError = new Error('the node crashed');
  }

  // ---- loading ----

  /** Load the in-memory index from the store; the collections from `records` if given (see restore). */
  private async load(records?: CollectionRecords): Promise<void> {
    this.databases.clear();
    this.collections.clear();
    this.collectionIdsByDb.clear();
    this.createdCollectionsByDb.clear();
    this.capacityUsed = 0;
    this.channelRefs.clear();
    this.aliasesByCollection.clear();
    this.dbIdByName.clear();
    this.names.clear();
    this.aliasesByDb.clear();
    this.requests.clear();
    this.members.clear();
    const store = this.store;
    // Until the catalog is in memory, nothing counts as applied: a read waiting for an index (and
    // /readyz) must not take a half-loaded catalog for the one at its index (a restore loads again).
    this.appliedIndex = 0;
    await this.upgradeFormat();
    const appliedIndex = Number((await store.getLatest(keys.appliedIndex)) ?? '0');
    this.tsoWindowMs = BigInt((await store.getLatest(keys.tsoWindow)) ?? '0');
    this.idUpTo = BigInt((await store.getLatest(keys.idWindow)) ?? '0');
    for (const [, value] of await store.entriesWithPrefix(keys.databasePrefix)) this.indexDatabase(parse<DatabaseModel>(value));
    // One pass over each kind of key (not one scan per collection): a restart reads the catalog once.
    for (const collection of (records ?? (await CollectionRecords.scan(store, this.fields))).collections()) this.indexCollection(collection);
    for (const [, value] of await store.entriesWithPrefix(keys.aliasPrefix())) this.indexAlias(parse<AliasModel>(value));
    // Request IDs in the order they took effect (expiry walks them from the oldest). The timestamps
    // are compared as decimal text, shorter first: no bigint made per comparison (200,000 of them).
    const requests: Array<[string, string]> = [];
    await store.forEachLive(keys.requestPrefix, (key, text) => requests.push([key, text]));
    requests.sort((a, b) => a[1].length - b[1].length || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const [key, ts] of requests) this.requests.set(fromKeyPart(key.slice(keys.requestPrefix.length)), BigInt(ts));
    for (const [key, value] of await store.entriesWithPrefix(keys.memberPrefix)) this.members.set(Number(key.slice(keys.memberPrefix.length)), value);
    await this.rbac.load(store);
    this.appliedIndex = appliedIndex;
  }

  /**
   * Bring an older catalog to CATALOG_FORMAT in one atomic batch (format 1: version keys rewritten),
   * or refuse a newer one. Every replica does the same, so their catalogs stay equal.
   */
  private async upgradeFormat(): Promise<void> {
    const format = (await this.store.getLatest(keys.catalogFormat)) ?? '1';
    if (format === String(CATALOG_FORMAT)) return;
    if (format !== '1') throw new Error(`catalog format ${format} is not readable by this build (it reads format ${CATALOG_FORMAT} and upgrades format 1); run a build that knows it`);
    const ops: StoreOp[] = [];
    for (const [old, value] of await this.store.entriesWithPrefix(SNAPSHOT_PREFIX, true)) {
      const version = parseVersionKey(old, 1);
      if (version === null) continue;
      ops.push({ type: 'del', key: old }, { type: 'put', key: versionKey(version.key, version.ts), value });
    }
    ops.push({ type: 'put', key: keys.catalogFormat, value: String(CATALOG_FORMAT) });
    await this.store.write(ops);
  }

  // ---- applying commands ----

  /** Apply a batch of committed commands (null: an entry with no command) of consecutive entries ending at `lastIndex`. */
  async apply(commands: ReadonlyArray<MetaCommand | null>, lastIndex: number): Promise<ApplyResult[]> {
    assert(lastIndex > this.appliedIndex, `apply up to ${lastIndex} after ${this.appliedIndex}`);
    const firstIndex = lastIndex - commands.length + 1;
    const ops: StoreOp[] = [];
    const results: ApplyResult[] = [];
    for (const [i, command] of commands.entries()) {
      if (command?.kind === 'gcVersions') {
        // Garbage collection reads the store: bring it up to date first, deterministically on every
        // replica. That write covers the entries before this one, and says so: a crash after it
        // replays from the entry after them, neither applying one twice nor skipping one.
        if (ops.length > 0) {
          appendAll(this.buffered, ops.splice(0));
          this.bufferedIndex = firstIndex + i - 1;
        }
        await this.flushed();
        appendAll(ops, await this.garbageOps(command.versionsBeforeTs, command.tombstonesBeforeTs));
        results.push(OK);
      } else {
        results.push(command === null ? OK : this.applyOne(command, ops));
      }
    }
    // The in-memory state is authoritative for latest reads. The LevelDB writes are buffered and
    // written together (with the applied index, atomically) at most every WRITE_DELAY_MS: small,
    // frequent writes beside the Raft log's synchronous ones make every log fsync slower, and the log
    // already makes the entries durable; a restart replays what LevelDB had not received yet.
    // Readers of the store itself (time travel, snapshots, digests) flush first.
    if (this.writeError !== null) throw this.writeError;
    appendAll(this.buffered, ops);
    this.bufferedIndex = lastIndex;
    this.appliedIndex = lastIndex;
    if (this.buffered.length >= WRITE_BUFFER_OPS_MAX) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS);
    return results;
  }

  private flush(): Promise<void> {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.buffered.length === 0) return this.pendingWrite;
    const ops = this.buffered;
    ops.push({ type: 'put', key: keys.appliedIndex, value: String(this.bufferedIndex) });
    this.buffered = [];
    this.pendingWrite = this.pendingWrite
      .then(() => this.store.write(ops))
      .catch((error: unknown) => {
        this.writeError = error instanceof Error ? error : new Error(String(error));
      });
    return this.pendingWrite;
  }

  /**
   * Make every applied command durable: in LevelDB, then fsynced. LevelDB's own log is written in
   * order, so one synchronous write (the delete of a key that never exists: it changes no data, no
   * digest and no snapshot) puts every earlier write on disk. The Raft log may then be compacted
   * behind the applied index with no copy of the catalog (StateMachine.persist).
   */
  async persist(): Promise<void> {
    await this.flushed();
    await this.store.write([{ type: 'del', key: keys.syncPoint }], true);
  }

  /** Resolves once every applied command is in LevelDB. */
  async flushed(): Promise<void> {
    await this.flush();
    if (this.writeError !== null) throw this.writeError;
  }

  private applyOne(command: MetaCommand, ops: StoreOp[]): ApplyResult {
    if ('ts' in command && command.ts > this.latestCommandTs) this.latestCommandTs = command.ts;
    switch (command.kind) {
      case 'putDatabase':
        return this.putDatabase(command.database, command.ts, ops);
      case 'deleteDatabase':
        return this.deleteDatabase(command.dbID, command.ts, ops);
      case 'putCollection':
        return this.putCollection(command.collection, command.ts, ops);
      case 'setCollectionState': {
        const changed = this.withState(command);
        return changed === undefined ? { ok: false, reason: `collection ${command.collectionID} does not exist` } : this.putCollection(changed, command.ts, ops);
      }
      case 'deleteCollection':
        if (command.ifState !== undefined && this.collections.get(command.collectionID)?.state !== command.ifState) return OK;
        return this.deleteCollection(command.collectionID, command.ts, ops);
      case 'putPartition':
        return this.putPartition(command.collectionID, command.partition, command.ts, ops);
      case 'deletePartition':
        if (command.ifState !== undefined && this.collections.get(command.collectionID)?.partitions.find((p) => p.partitionID === command.partitionID)?.state !== command.ifState) return OK;
        return this.deletePartition(command.collectionID, command.partitionID, command.ts, ops);
      case 'putAlias':
        return this.putAlias(command.alias, command.ts, ops);
      case 'deleteAlias':
        return this.deleteAlias(command.dbID, command.name, command.ts, ops);
      case 'rbac':
        this.rbac.apply(command.change, ops);
        return OK;
      case 'tsoWindow':
        if (command.windowMs <= this.tsoWindowMs) return { ok: false, reason: `tso window ${command.windowMs} does not advance ${this.tsoWindowMs}` };
        this.tsoWindowMs = command.windowMs;
        ops.push({ type: 'put', key: keys.tsoWindow, value: String(command.windowMs) });
        return OK;
      case 'idWindow':
        if (command.upTo <= this.idUpTo) return { ok: false, reason: `id window ${command.upTo} does not advance ${this.idUpTo}` };
        this.idUpTo = command.upTo;
        ops.push({ type: 'put', key: keys.idWindow, value: String(command.upTo) });
        return OK;
      case 'gcVersions':
        return { ok: false, reason: 'gcVersions cannot be part of a batch' };
      case 'request': {
        if (this.requests.has(command.requestId)) return { ok: false, reason: `request ${command.requestId} has already taken effect` };
        const result = this.applyOne(command.command, ops);
        if (result.ok) {
          this.requests.set(command.requestId, command.ts);
          ops.push({ type: 'put', key: keys.request(command.requestId), value: String(command.ts) });
        }
        return result;
      }
      case 'putMember':
        this.members.set(command.id, command.context);
        ops.push({ type: 'put', key: keys.member(command.id), value: command.context });
        return OK;
      case 'deleteMember':
        this.members.delete(command.id);
        ops.push({ type: 'del', key: keys.member(command.id) });
        return OK;
      case 'expireRequests':
        for (const [id, ts] of this.requests) {
          if (ts >= command.beforeTs) continue;
          this.requests.delete(id);
          ops.push({ type: 'del', key: keys.request(id) });
        }
        return OK;
      case 'batch': {
        // All or nothing: check every member against a dry run before applying any.
        for (const member of command.commands) {
          const reason = this.precondition(member);
          if (reason !== null) return { ok: false, reason };
        }
        for (const member of command.commands) this.applyOne(member, ops);
        return OK;
      }
    }
  }

  /** Invariants a command must not break, checked identically on every replica. */
  private precondition(command: MetaCommand): string | null {
    switch (command.kind) {
      case 'request':
        return this.requests.has(command.requestId) ? `request ${command.requestId} has already taken effect` : this.precondition(command.command);
      case 'putDatabase': {
        const owner = this.dbIdByName.get(command.database.name);
        return owner !== undefined && owner !== command.database.id ? `database name ${command.database.name} is taken` : null;
      }
      case 'putCollection': {
        const c = command.collection;
        if (!this.databases.has(c.dbID)) return `database ${c.dbID} does not exist`;
        const owner = this.names.get(c.dbID)?.get(c.name);
        const ownerState = owner === undefined ? undefined : this.collections.get(owner)?.state;
        if (owner !== undefined && owner !== c.collectionID && (ownerState === CollectionState.Created || ownerState === CollectionState.Creating)) {
          return `collection name ${c.name} is taken by ${owner}`;
        }
        return this.aliasesByDb.get(c.dbID)?.has(c.name) === true ? `collection name ${c.name} is an alias` : null;
      }
      case 'setCollectionState': {
        const changed = this.withState(command);
        return changed === undefined ? `collection ${command.collectionID} does not exist` : this.precondition({ kind: 'putCollection', ts: command.ts, collection: changed });
      }
      case 'putAlias': {
        const a = command.alias;
        const owner = this.names.get(a.dbID)?.get(a.name);
        if (owner !== undefined && this.collections.get(owner)?.state === CollectionState.Created) return `alias ${a.name} is a collection name`;
        return this.collections.has(a.collectionID) ? null : `collection ${a.collectionID} does not exist`;
      }
      default:
        return null;
    }
  }

  /** The collection a setCollectionState makes (undefined if it does not exist). */
  private withState(command: { readonly collectionID: bigint; readonly state: CollectionState }): CollectionModel | undefined {
    const current = this.collections.get(command.collectionID);
    return current === undefined ? undefined : { ...current, state: command.state };
  }

  private putDatabase(database: DatabaseModel, ts: bigint, ops: StoreOp[]): ApplyResult {
    const reason = this.precondition({ kind: 'putDatabase', ts, database });
    if (reason !== null) return { ok: false, reason };
    ops.push(...VersionedStore.put(keys.database(database.id), stringify(database), ts));
    this.indexDatabase(database);
    return OK;
  }

  private deleteDatabase(dbID: bigint, ts: bigint, ops: StoreOp[]): ApplyResult {
    const database = this.databases.get(dbID);
    if (database === undefined) return OK;
    ops.push(...VersionedStore.remove(keys.database(dbID), ts));
    for (const alias of this.aliasesByDb.get(dbID)?.values() ?? []) {
      ops.push(...VersionedStore.remove(keys.alias(dbID, alias.name), ts));
      this.unindexAlias(alias);
    }
    this.databases.delete(dbID);
    this.dbIdByName.delete(database.name);
    this.aliasesByDb.delete(dbID);
    this.names.delete(dbID);
    return OK;
  }

  /**
   * Insert or update a collection. Once it exists, its partitions change only through putPartition and
   * deletePartition: an update (rename, alter, state change) keeps the current partitions, so a task
   * that read the collection before a background job removed a dropped partition cannot bring it back.
   */
  private putCollection(update: CollectionModel, ts: bigint, ops: StoreOp[]): ApplyResult {
    const reason = this.precondition({ kind: 'putCollection', ts, collection: update });
    if (reason !== null) return { ok: false, reason };
    const previous = this.collections.get(update.collectionID);
    // The fields as shared objects (see FieldInterner), each knowing its stored text; a state change or
    // an alter of the collection itself hands back the fields it has.
    const shared = update.fields === previous?.fields ? previous.fields : this.fields.list(update.fields.map((f) => this.fields.of(f)));
    const collection = { ...update, fields: shared, partitions: previous?.partitions ?? update.partitions };
    const { fields: _fields, partitions, functions: _functions, structArrayFields: _structs, ...stored } = collection;
    if (previous !== undefined && previous.dbID !== collection.dbID) ops.push(...VersionedStore.remove(keys.collection(previous.dbID, previous.collectionID), ts));
    ops.push(...VersionedStore.put(keys.collection(collection.dbID, collection.collectionID), stringify(stored), ts));
    const id = collection.collectionID;
    // Write only the fields (functions, struct-array fields) that changed; remove those that went. A
    // shared field is unchanged if it is the same object as before, and knows its text.
    const before = previous === undefined ? null : childrenOf(previous);
    const after = childrenOf(collection);
    for (const child of CHILD_KINDS) {
      const text = (item: Child): string => (child.kind === 'fields' ? this.fields.textOf(item as FieldModel) : stringify(item));
      const old = new Map((before?.[child.kind] ?? []).map((item) => [childId(item), item]));
      for (const item of after[child.kind]) {
        const was = old.get(childId(item));
        old.delete(childId(item));
        if (was === item) continue;
        const value = text(item);
        if (was === undefined || text(was) !== value) ops.push(...VersionedStore.put(child.key(id, childId(item)), value, ts));
      }
      for (const gone of old.keys()) ops.push(...VersionedStore.remove(child.key(id, gone), ts));
    }
    // An update keeps the current partitions (above), so only a new collection's are written: a
    // collection may hold a thousand partitions.
    if (previous === undefined) for (const partition of partitions) ops.push(...VersionedStore.put(keys.partition(id, partition.partitionID), stringify(partition), ts));
    if (previous !== undefined) this.unindexCollection(previous);
    this.indexCollection(collection);
    return OK;
  }

  private putPartition(collectionID: bigint, partition: PartitionModel, ts: bigint, ops: StoreOp[]): ApplyResult {
    const collection = this.collections.get(collectionID);
    if (collection === undefined) return { ok: false, reason: `collection ${collectionID} does not exist` };
    // One pass over the partitions (a collection may hold a thousand): find this one, and a live namesake.
    let at = -1;
    let nameTaken = false;
    const current = collection.partitions;
    for (let i = 0; i < current.length; i++) {
      const p = current[i] as PartitionModel;
      if (p.partitionID === partition.partitionID) at = i;
      else if (p.partitionName === partition.partitionName && p.state !== PartitionState.Dropping) nameTaken = true;
    }
    if (at < 0 && nameTaken) return { ok: false, reason: `partition name ${partition.partitionName} is taken` };
    const partitions = current.slice();
    if (at < 0) partitions.push(partition);
    else partitions[at] = partition;
    ops.push(...VersionedStore.put(keys.partition(collectionID, partition.partitionID), stringify(partition), ts));
    this.collections.set(collectionID, { ...collection, partitions });
    this.countCreated(collectionID, (at < 0 ? 0 : -isCreated(current[at] as PartitionModel)) + isCreated(partition));
    return OK;
  }

  private deletePartition(collectionID: bigint, partitionID: bigint, ts: bigint, ops: StoreOp[]): ApplyResult {
    const collection = this.collections.get(collectionID);
    const removed = collection?.partitions.find((p) => p.partitionID === partitionID);
    if (collection === undefined || removed === undefined) return OK;
    ops.push(...VersionedStore.remove(keys.partition(collectionID, partitionID), ts));
    this.collections.set(collectionID, { ...collection, partitions: collection.partitions.filter((p) => p !== removed) });
    this.countCreated(collectionID, -isCreated(removed));
    return OK;
  }

  private deleteCollection(collectionID: bigint, ts: bigint, ops: StoreOp[]): ApplyResult {
    const collection = this.collections.get(collectionID);
    if (collection === undefined) return OK;
    const children = childrenOf(collection);
    for (const child of CHILD_KINDS) for (const item of children[child.kind]) ops.push(...VersionedStore.remove(child.key(collectionID, childId(item)), ts));
    for (const partition of collection.partitions) ops.push(...VersionedStore.remove(keys.partition(collectionID, partition.partitionID), ts));
    ops.push(...VersionedStore.remove(keys.collection(collection.dbID, collectionID), ts));
    this.unindexCollection(collection);
    return OK;
  }

  private putAlias(alias: AliasModel, ts: bigint, ops: StoreOp[]): ApplyResult {
    const reason = this.precondition({ kind: 'putAlias', ts, alias });
    if (reason !== null) return { ok: false, reason };
    ops.push(...VersionedStore.put(keys.alias(alias.dbID, alias.name), stringify(alias), ts));
    this.indexAlias(alias);
    return OK;
  }

  private deleteAlias(dbID: bigint, name: string, ts: bigint, ops: StoreOp[]): ApplyResult {
    const alias = this.aliasesByDb.get(dbID)?.get(name);
    if (alias === undefined) return OK;
    this.aliasesByDb.get(dbID)?.delete(name);
    this.unindexAlias(alias);
    ops.push(...VersionedStore.remove(keys.alias(dbID, name), ts));
    return OK;
  }

  /**
   * The deletions a catalog GC at these bounds makes (spec 3.4): old versions, long-deleted keys. The
   * versions of one key are adjacent in LevelDB (`snapshots/{key}\0{ts}`, NUL in no key, the timestamp
   * zero-padded), so they are read in batches and judged a key at a time: a catalog of any size costs
   * memory for its deletions only, not for every version (a million at 200,000 collections).
   */
  private async garbageOps(versionsBeforeTs: bigint, tombstonesBeforeTs: bigint): Promise<StoreOp[]> {
    const ops: StoreOp[] = [];
    let key: string | null = null;
    let versions: Array<{ versionKey: string; ts: bigint; value: string }> = [];
    const judge = (): void => {
      const latest = versions[versions.length - 1];
      if (key === null || latest === undefined) return;
      if (latest.value === TOMBSTONE && latest.ts < tombstonesBeforeTs) {
        for (const v of versions) ops.push({ type: 'del', key: v.versionKey });
        ops.push({ type: 'del', key });
        return;
      }
      for (const v of versions.slice(0, -1)) if (v.ts < versionsBeforeTs) ops.push({ type: 'del', key: v.versionKey });
    };
    for await (const batch of this.store.scan(SNAPSHOT_PREFIX)) {
      for (const [stored, value] of batch) {
        const version = parseVersionKey(stored);
        if (version === null) continue;
        if (version.key !== key) {
          judge();
          key = version.key;
          versions = [];
        }
        versions.push({ versionKey: stored, ts: version.ts, value });
      }
    }
    judge();
    return ops;
  }

  // ---- indexes ----

  private indexDatabase(database: DatabaseModel): void {
    const previous = this.databases.get(database.id);
    if (previous !== undefined && previous.name !== database.name) this.dbIdByName.delete(previous.name);
    this.databases.set(database.id, database);
    this.dbIdByName.set(database.name, database.id);
  }

  private indexCollection(collection: CollectionModel): void {
    const id = collection.collectionID;
    this.collections.set(id, collection);
    getOrAdd(this.collectionIdsByDb, collection.dbID, () => new Set()).add(id);
    this.countCollection(collection, 1);
    getOrAdd(this.names, collection.dbID, () => new Map()).set(collection.name, collection.collectionID);
  }

  private unindexCollection(collection: CollectionModel): void {
    const id = collection.collectionID;
    this.countCollection(collection, -1);
    const inDb = this.collectionIdsByDb.get(collection.dbID);
    inDb?.delete(id);
    if (inDb?.size === 0) this.collectionIdsByDb.delete(collection.dbID);
    this.collections.delete(id);
    const names = this.names.get(collection.dbID);
    // A re-created collection may own the name now; only remove the mapping if it is still ours.
    if (names?.get(collection.name) === collection.collectionID) names.delete(collection.name);
  }

  /** Add (sign 1) or remove (sign -1) a collection's share of the counts kept per db, capacity and channel. */
  private countCollection(collection: CollectionModel, sign: 1 | -1): void {
    if (collection.state === CollectionState.Created) {
      this.createdCollectionsByDb.set(collection.dbID, (this.createdCollectionsByDb.get(collection.dbID) ?? 0) + sign);
      if (this.createdCollectionsByDb.get(collection.dbID) === 0) this.createdCollectionsByDb.delete(collection.dbID);
      this.capacityUsed += sign * createdPartitions(collection) * collection.shardsNum;
    }
    for (const p of collection.physicalChannelNames) {
      const refs = (this.channelRefs.get(p) ?? 0) + sign;
      if (refs === 0) this.channelRefs.delete(p);
      else this.channelRefs.set(p, refs);
    }
  }

  private countCreated(collectionID: bigint, delta: number): void {
    if (delta === 0) return;
    const collection = this.collections.get(collectionID);
    if (collection?.state === CollectionState.Created) this.capacityUsed += delta * collection.shardsNum;
  }

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

  /** How many Created partitions the collection has. */
  createdPartitionCount(collectionID: bigint): number {
    const collection = this.collections.get(collectionID);
    return collection === undefined ? 0 : createdPartitions(collection);
  }

  private indexAlias(alias: AliasModel): void {
    const aliases = getOrAdd(this.aliasesByDb, alias.dbID, () => new Map());
    const previous = aliases.get(alias.name);
    if (previous !== undefined) this.unindexAlias(previous);
    aliases.set(alias.name, alias);
    getOrAdd(this.aliasesByCollection, alias.collectionID, () => new Map()).set(`${alias.dbID}\0${alias.name}`, alias.name);
  }

  /** Remove an alias from the per-collection index (the caller removes it from aliasesByDb). */
  private unindexAlias(alias: AliasModel): void {
    const ofCollection = this.aliasesByCollection.get(alias.collectionID);
    ofCollection?.delete(`${alias.dbID}\0${alias.name}`);
    if (ofCollection?.size === 0) this.aliasesByCollection.delete(alias.collectionID);
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
    const out: CollectionModel[] = [];
    for (const id of this.collectionIdsByDb.get(dbID) ?? []) out.push(this.collections.get(id) as CollectionModel);
    return out.sort((a, b) => (a.createTs < b.createTs ? -1 : a.createTs > b.createTs ? 1 : 0));
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

  // ---- reads at a past timestamp ----

  /** The collections of a db as of `ts` (all states), read from the versioned catalog. */
  async collectionsAt(dbID: bigint, ts: bigint): Promise<CollectionModel[]> {
    await this.flushed();
    const records = new CollectionRecords(this.fields);
    const addAt = async (key: string): Promise<string | undefined> => {
      const value = await this.store.getAt(key, ts);
      if (value !== undefined) records.add(key, value);
      return value;
    };
    const prefix = keys.collectionPrefix(dbID);
    for (const key of await this.store.keysWithPrefix(prefix)) {
      if ((await addAt(key)) === undefined) continue;
      const collectionID = BigInt(key.slice(prefix.length));
      for (const childPrefix of [...CHILD_KINDS.map((c) => c.prefix(collectionID)), keys.partitionPrefix(collectionID)]) {
        for (const child of await this.store.keysWithPrefix(childPrefix)) await addAt(child);
      }
    }
    return [...records.collections()].sort((a, b) => (a.createTs < b.createTs ? -1 : a.createTs > b.createTs ? 1 : 0));
  }

  async aliasesAt(dbID: bigint, ts: bigint): Promise<AliasModel[]> {
    await this.flushed();
    const out: AliasModel[] = [];
    for (const key of await this.store.keysWithPrefix(keys.aliasPrefix(dbID))) {
      const value = await this.store.getAt(key, ts);
      if (value !== undefined) out.push(parse<AliasModel>(value));
    }
    return out;
  }

  // ---- snapshots ----

  async snapshot(): Promise<Uint8Array> {
    return (await this.snapshotLater())();
  }

  /**
   * Capture the catalog as of now (everything applied so far, nothing applied later) and return what
   * encodes it: the capture is a LevelDB snapshot, so applying may go on while the bytes are made, in
   * batches that leave the event loop free between them (catalog-snapshot.ts).
   */
  async snapshotLater(): Promise<() => Promise<Uint8Array>> {
    await this.flushed();
    const batches = this.store.scan();
    return () => encodeCatalogSnapshot(batches, keys.appliedIndex);
  }

  async restore(data: Uint8Array, index: number): Promise<void> {
    await this.flushed();
    const applied = keys.appliedIndex;
    // The collections are gathered from the records as they are written, not read back after.
    const records = new CollectionRecords(this.fields);
    async function* withAppliedIndex(): AsyncGenerator<ReadonlyArray<readonly [string, string]>> {
      for await (const batch of decodeCatalogSnapshot(data)) {
        const kept = batch.filter(([key]) => key !== applied);
        for (const [key, value] of kept) records.add(key, value);
        yield kept;
      }
      yield [[applied, String(index)]];
    }
    await this.store.replaceAllFrom(withAppliedIndex());
    await this.load(records);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.store.close();
  }

  /**
   * A digest of what this replica serves (its in-memory state, RBAC included) and of what its LevelDB
   * holds, equal on every replica that applied the same entries: a replica whose memory and disk
   * disagree (so that it would serve something else after a restart) digests differently.
   */
  async digest(): Promise<string> {
    return (await this.digestAtIndex()).digest;
  }

  /**
   * The digest and the applied index it belongs to, taken at one moment: memory, the applied index and
   * a LevelDB snapshot are captured together once no write is buffered or in flight, so entries applied
   * while the store is read are in neither (a digest read beside the apply chain could mix them).
   */
  async digestAtIndex(): Promise<{ digest: string; appliedIndex: number }> {
    for (;;) {
      const written = this.flush();
      await written;
      if (this.writeError !== null) throw this.writeError;
      if (this.buffered.length === 0 && this.pendingWrite === written) break;
    }
    const appliedIndex = this.appliedIndex;
    const hash = createHash('sha256');
    hash.update('memory\0').update(canonicalJson(this.servedState())).update('\0');
    const batches = this.store.scan();
    hash.update('store\0');
    for await (const batch of batches) {
      for (const [key, value] of batch) if (key !== keys.appliedIndex) hash.update(key).update('\0').update(value).update('\0');
    }
    return { digest: hash.digest('hex'), appliedIndex };
  }

  /** The in-memory state that reads are served from, in a canonical order. */
  private servedState(): unknown {
    return {
      tsoWindowMs: this.tsoWindowMs,
      idUpTo: this.idUpTo,
      databases: sortedByKey(this.databases),
      collections: sortedByKey(this.collections),
      aliases: sortedByKey(this.aliasesByDb).filter(([, aliases]) => aliases.size > 0).map(([dbID, aliases]) => [dbID, sortedByKey(aliases)]),
      requests: sortedByKey(this.requests),
      members: sortedByKey(this.members),
      rbac: this.rbac.servedState(),
    };
  }
}

/** Append every item: `push(...items)` throws RangeError past about 130,000 of them (one GC entry may delete more). */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** JSON with object keys sorted at every level (bigints as strings): equal values, equal text, whatever the key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  });
}
