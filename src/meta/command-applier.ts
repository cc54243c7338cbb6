import { stringify } from '../common/bigint-json.js';
import { keys } from './catalog-keys.js';
import { CHILD_KINDS, childId, childrenOf } from './collection-children.js';
import type { MetaCommand } from './commands.js';
import { isCreated } from './meta-index.js';
import type { MetaIndex } from './meta-index.js';
import { CollectionState, PartitionState } from './model.js';
import type { AliasModel, CollectionModel, DatabaseModel, PartitionModel } from './model.js';
import type { RbacTable } from '../rbac/rbac-table.js';
import { VersionedStore } from './versioned-store.js';
import { collectionProblem, decodeCollection, decodePartition, encodeCollection, encodePartition, partitionProblem, shareCollectionIds } from './record-codec.js';
import type { StoreOp } from './versioned-store.js';

/** What applying a command reports back to its proposer: nothing, or why a precondition failed. */
export type ApplyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export const OK: ApplyResult = { ok: true };

/**
 * Applies one replicated command: checks its preconditions (identically on every replica), changes the
 * in-memory index and returns the catalog writes (StoreOps) that record the change, versioned at the
 * command's timestamp. Deterministic; never reads the store (the catalog GC, which does, is
 * catalog-history.ts).
 */
export class CommandApplier {
  constructor(
    private readonly index: MetaIndex,
    private readonly rbac: RbacTable,
  ) {}

  /** Apply one command to the index, adding the catalog writes it makes to `ops`. */
  apply(command: MetaCommand, ops: StoreOp[]): ApplyResult {
    if ('ts' in command && command.ts > this.index.latestCommandTs) this.index.latestCommandTs = command.ts;
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
        if (command.ifState !== undefined && this.index.collections.get(command.collectionID)?.state !== command.ifState) return OK;
        return this.deleteCollection(command.collectionID, command.ts, ops);
      case 'putPartition':
        return this.putPartition(command.collectionID, command.partition, command.ts, ops);
      case 'deletePartition':
        if (command.ifState !== undefined && this.index.collections.get(command.collectionID)?.partitions.find((p) => p.partitionID === command.partitionID)?.state !== command.ifState) return OK;
        return this.deletePartition(command.collectionID, command.partitionID, command.ts, ops);
      case 'putAlias':
        return this.putAlias(command.alias, command.ts, ops);
      case 'deleteAlias':
        return this.deleteAlias(command.dbID, command.name, command.ts, ops);
      case 'rbac':
        this.rbac.apply(command.change, ops);
        return OK;
      case 'tsoWindow':
        if (command.windowMs <= this.index.tsoWindowMs) return { ok: false, reason: `tso window ${command.windowMs} does not advance ${this.index.tsoWindowMs}` };
        this.index.tsoWindowMs = command.windowMs;
        ops.push({ type: 'put', key: keys.tsoWindow, value: String(command.windowMs) });
        return OK;
      case 'idWindow':
        if (command.upTo <= this.index.idUpTo) return { ok: false, reason: `id window ${command.upTo} does not advance ${this.index.idUpTo}` };
        this.index.idUpTo = command.upTo;
        ops.push({ type: 'put', key: keys.idWindow, value: String(command.upTo) });
        return OK;
      case 'gcVersions':
        return { ok: false, reason: 'gcVersions cannot be part of a batch' };
      case 'request': {
        if (this.index.requests.has(command.requestId)) return { ok: false, reason: `request ${command.requestId} has already taken effect` };
        const result = this.apply(command.command, ops);
        if (result.ok) {
          this.index.requests.set(command.requestId, command.ts);
          ops.push({ type: 'put', key: keys.request(command.requestId), value: String(command.ts) });
        }
        return result;
      }
      case 'putMember':
        this.index.members.set(command.id, command.context);
        ops.push({ type: 'put', key: keys.member(command.id), value: command.context });
        return OK;
      case 'deleteMember':
        this.index.members.delete(command.id);
        ops.push({ type: 'del', key: keys.member(command.id) });
        return OK;
      case 'expireRequests':
        for (const [id, ts] of this.index.requests) {
          if (ts >= command.beforeTs) continue;
          this.index.requests.delete(id);
          ops.push({ type: 'del', key: keys.request(id) });
        }
        return OK;
      case 'digestMark':
      case 'digestCompare':
        // Nothing in the catalog: the state machine takes and compares digests (replica-checks.ts).
        return OK;
      case 'batch': {
        // All or nothing: check every member against a dry run before applying any.
        for (const member of command.commands) {
          const reason = this.precondition(member);
          if (reason !== null) return { ok: false, reason };
        }
        for (const member of command.commands) this.apply(member, ops);
        return OK;
      }
    }
  }

  /** Invariants a command must not break, checked identically on every replica. */
  private precondition(command: MetaCommand): string | null {
    switch (command.kind) {
      case 'request':
        return this.index.requests.has(command.requestId) ? `request ${command.requestId} has already taken effect` : this.precondition(command.command);
      case 'putDatabase': {
        const owner = this.index.dbIdByName.get(command.database.name);
        return owner !== undefined && owner !== command.database.id ? `database name ${command.database.name} is taken` : null;
      }
      case 'putCollection': {
        const c = command.collection;
        const problem = collectionProblem(c) ?? (this.index.collections.has(c.collectionID) ? null : firstProblem(c.partitions, partitionProblem));
        if (problem !== null) return problem;
        if (!this.index.databases.has(c.dbID)) return `database ${c.dbID} does not exist`;
        const owner = this.index.names.get(c.dbID)?.get(c.name);
        const ownerState = owner === undefined ? undefined : this.index.collections.get(owner)?.state;
        if (owner !== undefined && owner !== c.collectionID && (ownerState === CollectionState.Created || ownerState === CollectionState.Creating)) {
          return `collection name ${c.name} is taken by ${owner}`;
        }
        return this.index.aliasesByDb.get(c.dbID)?.has(c.name) === true ? `collection name ${c.name} is an alias` : null;
      }
      case 'setCollectionState': {
        const changed = this.withState(command);
        return changed === undefined ? `collection ${command.collectionID} does not exist` : this.precondition({ kind: 'putCollection', ts: command.ts, collection: changed });
      }
      case 'putPartition':
        return partitionProblem(command.partition);
      case 'putAlias': {
        const a = command.alias;
        const owner = this.index.names.get(a.dbID)?.get(a.name);
        if (owner !== undefined && this.index.collections.get(owner)?.state === CollectionState.Created) return `alias ${a.name} is a collection name`;
        return this.index.collections.has(a.collectionID) ? null : `collection ${a.collectionID} does not exist`;
      }
      case 'deleteDatabase':
        // As DropDatabase refuses it: its collections would keep names that a restart indexes again
        // and a replica that did not restart has forgotten (their decisions on the name would differ).
        return this.index.collections.someInDb(command.dbID, (c) => c.state === CollectionState.Created || c.state === CollectionState.Creating)
          ? `database ${command.dbID} still has a Created or Creating collection`
          : null;
      default:
        return null;
    }
  }

  /** The collection a setCollectionState makes (undefined if it does not exist). */
  private withState(command: { readonly collectionID: bigint; readonly state: CollectionState }): CollectionModel | undefined {
    const current = this.index.collections.get(command.collectionID);
    return current === undefined ? undefined : { ...current, state: command.state };
  }

  private putDatabase(database: DatabaseModel, ts: bigint, ops: StoreOp[]): ApplyResult {
    const reason = this.precondition({ kind: 'putDatabase', ts, database });
    if (reason !== null) return { ok: false, reason };
    ops.push(...VersionedStore.put(keys.database(database.id), stringify(database), ts));
    this.index.indexDatabase(database);
    return OK;
  }

  private deleteDatabase(dbID: bigint, ts: bigint, ops: StoreOp[]): ApplyResult {
    const database = this.index.databases.get(dbID);
    if (database === undefined) return OK;
    const reason = this.precondition({ kind: 'deleteDatabase', ts, dbID });
    if (reason !== null) return { ok: false, reason };
    ops.push(...VersionedStore.remove(keys.database(dbID), ts));
    for (const alias of this.index.aliasesByDb.get(dbID)?.values() ?? []) {
      ops.push(...VersionedStore.remove(keys.alias(dbID, alias.name), ts));
      this.index.unindexAlias(alias);
    }
    this.index.unindexDatabase(database);
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
    const previous = this.index.collections.get(update.collectionID);
    // The fields as shared objects (see FieldInterner), each knowing its stored text; a state change or
    // an alter of the collection itself hands back the fields it has.
    const shared = update.fields === previous?.fields ? previous.fields : this.index.fields.list(update.fields.map((f) => this.index.fields.of(f)));
    const { fields: _fields, partitions: newPartitions, functions, structArrayFields, ...stored } = update;
    const record = encodeCollection(stored);
    // A new collection's partitions as their records give them back (an update keeps the current ones).
    const partitionRecords = previous === undefined ? newPartitions.map((p) => ({ id: p.partitionID, record: encodePartition(p) })) : [];
    const partitions = previous?.partitions ?? partitionRecords.map((p) => decodePartition(p.record));
    // In memory, what a reload gives: the record decoded, functions and struct-array fields only if any.
    const decoded = decodeCollection(record);
    if (previous === undefined) shareCollectionIds(partitions, decoded);
    const collection: CollectionModel = Object.assign(decoded, {
      fields: shared,
      partitions,
      ...(functions !== undefined && functions.length > 0 ? { functions } : {}),
      ...(structArrayFields !== undefined && structArrayFields.length > 0 ? { structArrayFields } : {}),
    });
    if (previous !== undefined && previous.dbID !== collection.dbID) ops.push(...VersionedStore.remove(keys.collection(previous.dbID, previous.collectionID), ts));
    ops.push(...VersionedStore.put(keys.collection(collection.dbID, collection.collectionID), record, ts));
    const id = collection.collectionID;
    // Write only the functions and struct-array fields that changed; remove those that went.
    const before = previous === undefined ? null : childrenOf(previous);
    const after = childrenOf(collection);
    for (const child of CHILD_KINDS) {
      const old = new Map((before?.[child.kind] ?? []).map((item) => [childId(item), item]));
      for (const item of after[child.kind]) {
        const was = old.get(childId(item));
        old.delete(childId(item));
        if (was === item) continue;
        const value = stringify(item);
        if (was === undefined || stringify(was) !== value) ops.push(...VersionedStore.put(child.key(id, childId(item)), value, ts));
      }
      for (const gone of old.keys()) ops.push(...VersionedStore.remove(child.key(id, gone), ts));
    }
    this.index.fieldLists.set(id, previous?.fields, shared, ts, ops);
    // An update keeps the current partitions (above), so only a new collection's are written: a
    // collection may hold a thousand partitions.
    for (const p of partitionRecords) ops.push(...VersionedStore.put(keys.partition(id, p.id), p.record, ts));
    if (previous !== undefined) this.index.unindexCollection(previous);
    this.index.indexCollection(collection);
    return OK;
  }

  private putPartition(collectionID: bigint, partition: PartitionModel, ts: bigint, ops: StoreOp[]): ApplyResult {
    const collection = this.index.collections.get(collectionID);
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
    const record = encodePartition(partition);
    // In memory, what a reload gives.
    const stored = decodePartition(record);
    shareCollectionIds([stored], collection);
    const partitions = current.slice();
    if (at < 0) partitions.push(stored);
    else partitions[at] = stored;
    ops.push(...VersionedStore.put(keys.partition(collectionID, partition.partitionID), record, ts));
    this.index.replaceCollection({ ...collection, partitions });
    this.index.countCreated(collectionID, (at < 0 ? 0 : -isCreated(current[at] as PartitionModel)) + isCreated(stored));
    return OK;
  }

  private deletePartition(collectionID: bigint, partitionID: bigint, ts: bigint, ops: StoreOp[]): ApplyResult {
    const collection = this.index.collections.get(collectionID);
    const removed = collection?.partitions.find((p) => p.partitionID === partitionID);
    if (collection === undefined || removed === undefined) return OK;
    ops.push(...VersionedStore.remove(keys.partition(collectionID, partitionID), ts));
    this.index.replaceCollection({ ...collection, partitions: collection.partitions.filter((p) => p !== removed) });
    this.index.countCreated(collectionID, -isCreated(removed));
    return OK;
  }

  private deleteCollection(collectionID: bigint, ts: bigint, ops: StoreOp[]): ApplyResult {
    const collection = this.index.collections.get(collectionID);
    if (collection === undefined) return OK;
    const children = childrenOf(collection);
    for (const child of CHILD_KINDS) for (const item of children[child.kind]) ops.push(...VersionedStore.remove(child.key(collectionID, childId(item)), ts));
    for (const partition of collection.partitions) ops.push(...VersionedStore.remove(keys.partition(collectionID, partition.partitionID), ts));
    ops.push(...VersionedStore.remove(keys.collection(collection.dbID, collectionID), ts));
    this.index.fieldLists.remove(collectionID, ts, ops);
    this.index.unindexCollection(collection);
    return OK;
  }

  private putAlias(alias: AliasModel, ts: bigint, ops: StoreOp[]): ApplyResult {
    const reason = this.precondition({ kind: 'putAlias', ts, alias });
    if (reason !== null) return { ok: false, reason };
    ops.push(...VersionedStore.put(keys.alias(alias.dbID, alias.name), stringify(alias), ts));
    this.index.indexAlias(alias);
    return OK;
  }

  private deleteAlias(dbID: bigint, name: string, ts: bigint, ops: StoreOp[]): ApplyResult {
    const alias = this.index.aliasesByDb.get(dbID)?.get(name);
    if (alias === undefined) return OK;
    this.index.aliasesByDb.get(dbID)?.delete(name);
    this.index.unindexAlias(alias);
    ops.push(...VersionedStore.remove(keys.alias(dbID, name), ts));
    return OK;
  }
}

/** The first problem of any item (null: none has one). */
function firstProblem<T>(items: readonly T[], problem: (item: T) => string | null): string | null {
  for (const item of items) {
    const found = problem(item);
    if (found !== null) return found;
  }
  return null;
}
