import { sourceBytes } from '../../raft/snapshot-data.js';
import type { SnapshotData } from '../../raft/snapshot-data.js';
import { assert } from '../../raft/assert.js';
import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { CatalogHistory } from './catalog-history.js';
import { loadCatalog, loadRequests, RequestsLoadStopped } from './catalog-load.js';
import { appendAll, CatalogWriter } from './catalog-writer.js';
import type { CollectionRecords } from './collection-records.js';
import { CommandApplier, OK } from './command-applier.js';
import type { ApplyResult } from './command-applier.js';
import type { MetaCommand } from './commands.js';
import { MetaIndex } from './meta-index.js';
import type { CollectionTable } from './collection-table.js';
import { SingleFlight } from '../common/single-flight.js';
import { digestAtIndex, storeDigestAtIndex } from './meta-digest.js';
import { poolCodec } from './catalog-snapshot.js';
import type { BlockCodec } from './catalog-snapshot.js';
import { captureCatalog, restoreCatalog } from './meta-snapshot.js';
import { CheckRounds, copyMemory, MEMORY_CHECK_PART, memoryDifferences } from './memory-check.js';
import type { MemoryCheck, MemoryCopy } from './memory-check.js';
import { slicer } from '../common/slices.js';
import type { AliasModel, CollectionModel, DatabaseModel, FieldModel } from './model.js';
import { RbacTable } from '../rbac/rbac-table.js';
import { lastBatch, unfinishedRestore } from './catalog-integrity.js';
import { keys } from './catalog-keys.js';
import { VersionedStore } from './versioned-store.js';
import type { StoreOp } from './versioned-store.js';

export type { ApplyResult } from './command-applier.js';

/**
 * Records per read of a memory check's load: each batch is handled at once (at a start's 10,000, 50 to
 * 130 ms at 200,000 collections; 1,000 still took up to 138 ms with three replicas on two cores).
 */
const MEMORY_CHECK_BATCH = 250;

/** How long a memory check rests after each slice of DECODE_SLICE_MS (ms). */
const MEMORY_CHECK_REST_MS = 35;

/** How long one slice of the background decode after a load may take (ms). */
const DECODE_SLICE_MS = 5;

/**
 * The metadata of the cluster: an in-memory index of the latest state (databases, collections with
 * their fields and partitions, names, aliases, the TSO and ID windows) over a LevelDB catalog with
 * versioned keys for reads at a past timestamp. `apply` is deterministic, and the catalog writer
 * writes the applied index in the same batch as the data, so a restart never applies an entry twice.
 *
 * A façade over the parts that do the work, one job each:
 * - meta-index.ts: the in-memory index and the latest reads (MetaIndex);
 * - command-applier.ts: a command's dispatch, preconditions and changes, as catalog writes (CommandApplier);
 * - catalog-writer.ts: the write-behind catalog writer, the only writer of the applied index (CatalogWriter);
 * - catalog-history.ts: versions and tombstones: catalog GC and reads at a past timestamp (CatalogHistory);
 * - catalog-load.ts: loading the index from the catalog, format upgrades (collection-table.ts: its
 *   collections, each decoded when first read or by the background decode after a load);
 * - meta-snapshot.ts, meta-digest.ts: snapshot capture and restore; the replica digest.
 */
export class MetaTable {
  readonly databases: Map<bigint, DatabaseModel>;
  /** The latest collections by ID (a collection loaded at a start is decoded when first read). */
  readonly collections: CollectionTable;
  /** Members added at runtime: id -> conf change context (their addresses). */
  readonly members: Map<number, string>;
  /** Users, roles, grants and privilege groups. */
  readonly rbac = new RbacTable();
  private readonly index = new MetaIndex();
  private readonly applier: CommandApplier;
  private readonly writer: CatalogWriter;
  private readonly history: CatalogHistory;

  /** Bumped to stop the background decode of a load (another load, a close, a crash). */
  private decodeGeneration = 0;
  /** Bumped to stop the request IDs' load (another load, a close, a crash). */
  private requestsGeneration = 0;
  /** The request IDs' load after a load (catalog-load.ts loadRequests), until it is done; what reads them waits for it. */
  private requestsLoading: Promise<void> | null = null;
  /** Starts the held read of the request IDs (open's `requestsLater`), until it is called. */
  private releaseRequests: (() => void) | null = null;
  /** The entry index of a restore that had not finished when this replica stopped, whose half-written catalog this start cleared. */
  unfinishedRestoreCleared: number | null = null;
  /** Applies and restores wait while a digest reads memory (digestAtIndex). */
  private readonly applyHolds = new Set<Promise<void>>();
  /** The last mark's digest under way (digestForMark): the next one reads the store after it. */
  private markDigests: Promise<void> = Promise.resolve();
  private applying = 0;
  /** What waits for the applies under way to end (a digest, a memory check, once they hold applies back). */
  private applyIdle: Array<() => void> = [];
  /** The memory check under way (checkMemory): a mark meanwhile starts none. */
  private memoryCheck: Promise<MemoryCheck> | null = null;
  /** Which part of a big catalog each memory check compares. */
  private readonly memoryCheckRounds = new CheckRounds();
  /**
   * Collections and request IDs a memory check reads at most, about (the limit replicaMemoryCheckPart;
   * 0: the whole catalog at every check).
   */
  memoryCheckPart = MEMORY_CHECK_PART;
  /** The digest being taken: a caller meanwhile gets it too. */
  private readonly digestTaken = new SingleFlight<{ digest: string; appliedIndex: number }>();

  private constructor(
    readonly store: VersionedStore,
    private readonly clock: Clock,
    private readonly codec: BlockCodec,
  ) {
    this.databases = this.index.databases;
    this.collections = this.index.collections;
    this.members = this.index.members;
    this.applier = new CommandApplier(this.index, this.rbac);
    this.writer = new CatalogWriter(store, clock);
    this.history = new CatalogHistory(store, this.writer, this.index.fields);
  }

  /**
   * `clock` times the catalog writer's write-behind delay. `requestsLater`: the request IDs are not read until readRequests() is called or something needs
   * them (an apply, the digest): a node that starts reads them once it serves (main.ts), unless an
   * entry to apply comes first.
   */
  static async open(path: string, clock: Clock = systemClock, requestsLater = false): Promise<MetaTable> {
    const table = new MetaTable(await VersionedStore.open(path), clock, poolCodec);
    await table.load(undefined, requestsLater);
    return table;
  }

  /**
   * Over an open store (a whole-node simulation keeps its in-memory store across a node's crash, and
   * compresses snapshots on its own thread: `inlineCodec`); `requestsLater` as for open().
   */
  static async over(store: VersionedStore, clock: Clock = systemClock, codec: BlockCodec = poolCodec, requestsLater = false): Promise<MetaTable> {
    const table = new MetaTable(store, clock, codec);
    await table.load(undefined, requestsLater);
    return table;
  }

  /** A crash: the writes not yet handed to the store are lost, and nothing more is written. */
  abandon(): void {
    this.decodeGeneration++;
    this.requestsGeneration++;
    this.readRequests();
    this.writer.abandon();
  }

  /** Start reading the request IDs that open's `requestsLater` held (nothing if none are held or they are read already). */
  readRequests(): void {
    const release = this.releaseRequests;
    this.releaseRequests = null;
    release?.();
  }

  private async load(records?: CollectionRecords, requestsLater = false): Promise<void> {
    // A decode of the previous load's collections stops (the index is cleared and loaded again), and
    // so does its load of request IDs, before the index is cleared.
    this.decodeGeneration++;
    await this.stopLoadingRequests();
    if (records === undefined) {
      // A restore cut short left part of another replica's catalog over part of this one's: neither.
      // Cleared, this replica has applied nothing, and Raft restores the snapshot again from its log
      // (or, if the log no longer holds it, refuses to start: RaftNode.start).
      const restoring = await unfinishedRestore(this.store);
      if (restoring !== null) {
        // The mark goes last: a start stopped in the middle of this clears again.
        await this.store.clearAllBut(keys.restoring);
        await this.store.write([{ type: 'del', key: keys.restoring }], true);
        this.unfinishedRestoreCleared = restoring;
      }
    }
    const batch = await lastBatch(this.store);
    await loadCatalog(this.store, this.index, this.rbac, { records });
    // The request IDs are read after the rest (a restart does not wait for them; see loadRequests):
    // every apply waits for them (a request command, an expiry, and the serving leader's scheduler,
    // which starts only once this node has applied an entry of its term).
    const generation = ++this.requestsGeneration;
    const current = (): boolean => generation === this.requestsGeneration;
    const held = requestsLater ? new Promise<void>((resolve) => (this.releaseRequests = resolve)) : null;
    const read = (): Promise<void> => (current() ? loadRequests(this.store, this.index, current) : Promise.reject(new RequestsLoadStopped()));
    // Kept while it fails: then every apply fails with its error (the node stops on it).
    const loading: Promise<void> = (held === null ? read() : held.then(read)).then(() => {
      if (this.requestsLoading === loading) this.requestsLoading = null;
    });
    loading.catch(() => undefined);
    this.requestsLoading = loading;
    this.writer.resumeAfter(this.index.appliedIndex, batch);
    // A restore happens on a running node: its collections are decoded at once in the background. At
    // a start the node asks for it once Raft has started (decodeInBackground).
    if (records !== undefined) void this.decodeInBackground();
  }

  /**
   * A load leaves its collections pending (decoded when first read: CollectionTable): decode them,
   * DECODE_SLICE_MS at a time between other events, so that no read decodes thousands at once (a first
   * ShowCollections of a database of 50,000 took 0.35 s of this thread) and the node's memory is that
   * of a decoded catalog soon after its start. A node starts it once its Raft thread has started: on
   * two busy cores, beside that start, it delayed the node's readiness by as much as it saved.
   * True once none is left; false if another load, a close or a crash stopped it first.
   */
  decodeInBackground(): Promise<boolean> {
    const generation = ++this.decodeGeneration;
    return new Promise((resolve) => {
      const slice = (): void => {
        if (generation !== this.decodeGeneration) return resolve(false);
        const until = this.clock.monotonicMs() + DECODE_SLICE_MS;
        if (this.index.collections.decodeSome(() => this.clock.monotonicMs() >= until)) setImmediate(slice);
        else resolve(true);
      };
      setImmediate(slice);
    });
  }

  /** The last entry applied (0 while the catalog is being loaded). */
  get appliedIndex(): number {
    return this.index.appliedIndex;
  }

  get tsoWindowMs(): bigint {
    return this.index.tsoWindowMs;
  }

  get idUpTo(): bigint {
    return this.index.idUpTo;
  }

  /**
   * The largest timestamp of a command applied since this process started (0 before the first): a
   * read that sees the catalog at this point reflects no DDL later than it (DescribeCollection's
   * request_time). Memory only: after a restart the clock bounds it until the next command.
   */
  get latestCommandTs(): bigint {
    return this.index.latestCommandTs;
  }

  // ---- applying commands ----

  /** Resolves once the request IDs of the last load are in the index (rejects if reading them failed). */
  requestsLoaded(): Promise<void> {
    return this.requestsLoading ?? Promise.resolve();
  }

  /** Stop the load of request IDs, if one runs, and wait for it to stop. */
  private async stopLoadingRequests(): Promise<void> {
    this.requestsGeneration++;
    // A held read then stops before it reads anything.
    this.readRequests();
    await this.requestsLoading?.catch(() => undefined);
  }

  /** Apply a batch of committed commands (null: an entry with no command) of consecutive entries ending at `lastIndex`. */
  async apply(commands: ReadonlyArray<MetaCommand | null>, lastIndex: number): Promise<ApplyResult[]> {
    return this.unlessHeld(() => this.applyNow(commands, lastIndex));
  }

  /** Run a change of memory (an apply, a restore) once no digest holds it back. */
  private async unlessHeld<T>(change: () => Promise<T>): Promise<T> {
    while (this.applyHolds.size > 0) await Promise.all(this.applyHolds);
    this.applying++;
    try {
      return await change();
    } finally {
      if (--this.applying === 0 && this.applyIdle.length > 0) for (const resolve of this.applyIdle.splice(0)) resolve();
    }
  }

  private async applyNow(commands: ReadonlyArray<MetaCommand | null>, lastIndex: number): Promise<ApplyResult[]> {
    if (this.requestsLoading !== null) {
      this.readRequests();
      await this.requestsLoading;
    }
    assert(lastIndex > this.index.appliedIndex, `apply up to ${lastIndex} after ${this.index.appliedIndex}`);
    const firstIndex = lastIndex - commands.length + 1;
    const ops: StoreOp[] = [];
    const results: ApplyResult[] = [];
    for (const [i, command] of commands.entries()) {
      if (command?.kind === 'gcVersions') {
        // Garbage collection reads the store: bring it up to date first, deterministically on every
        // replica. That write covers the entries before this one, and says so: a crash after it
        // replays from the entry after them, neither applying one twice nor skipping one.
        if (ops.length > 0) this.writer.buffer(ops.splice(0), firstIndex + i - 1);
        await this.writer.flushed();
        const garbage = await this.history.garbage(command.versionsBeforeTs, command.tombstonesBeforeTs);
        appendAll(ops, garbage.ops);
        this.index.fieldLists.sweep(garbage.namedLists, ops);
        results.push(OK);
      } else {
        results.push(command === null ? OK : this.applier.apply(command, ops));
      }
    }
    // The in-memory state is authoritative for latest reads; the catalog writes follow behind it
    // (catalog-writer.ts). Readers of the store itself (time travel, snapshots, digests) flush first.
    this.writer.write(ops, lastIndex);
    this.index.appliedIndex = lastIndex;
    return results;
  }

  /**
   * Make every applied command durable: in LevelDB, then fsynced. The Raft log may then be compacted
   * behind the applied index with no copy of the catalog (StateMachine.persist).
   */
  persist(): Promise<void> {
    return this.writer.persist();
  }

  /** Resolves once every applied command is in LevelDB. */
  flushed(): Promise<void> {
    return this.writer.flushed();
  }

  // ---- latest reads (meta-index.ts) ----

  /**
   * Whether a client request with this ID has taken effect (and is not yet expired). Asked by the
   * serving leader only, which has applied an entry of its term, so after the request IDs' load.
   */
  requestTookEffect(requestId: string): boolean {
    assert(this.requestsLoading === null, 'request IDs asked for before they are loaded');
    return this.index.requestTookEffect(requestId);
  }

  databaseByName(name: string): DatabaseModel | undefined {
    return this.index.databaseByName(name);
  }

  listDatabases(): DatabaseModel[] {
    return this.index.listDatabases();
  }

  /** The collection a name refers to in a db: aliases first, then names; any state. */
  collectionByName(dbID: bigint, name: string): CollectionModel | undefined {
    return this.index.collectionByName(dbID, name);
  }

  collectionNameOwner(dbID: bigint, name: string): CollectionModel | undefined {
    return this.index.collectionNameOwner(dbID, name);
  }

  /** The collections of a db (any state), oldest first; from the per-db index, so its cost is that db's size. */
  collectionsOf(dbID: bigint): CollectionModel[] {
    return this.index.collectionsOf(dbID);
  }

  alias(dbID: bigint, name: string): AliasModel | undefined {
    return this.index.alias(dbID, name);
  }

  aliasesOf(dbID: bigint): AliasModel[] {
    return this.index.aliasesOf(dbID);
  }

  aliasesOfCollection(collectionID: bigint): string[] {
    return this.index.aliasesOfCollection(collectionID);
  }

  /** Created collections in a db, or in all (without scanning them). */
  createdCollectionCount(dbID?: bigint): number {
    return this.index.createdCollectionCount(dbID);
  }

  /** Σ(Created partitions × shards) over Created collections: Milvus's general capacity in use (without scanning). */
  generalCapacityUsed(): number {
    return this.index.generalCapacityUsed();
  }

  /** How many collections (any state) use each physical channel that any uses. */
  channelReferences(): ReadonlyMap<string, number> {
    return this.index.channelReferences();
  }

  /** How many Created partitions the collection has. */
  createdPartitionCount(collectionID: bigint): number {
    return this.index.createdPartitionCount(collectionID);
  }

  /** Σ Created partitions over Created collections (without scanning them). */
  availablePartitionCount(): number {
    return this.index.availablePartitionCount();
  }

  /** A field's stored text, and the shared field of a text (FieldInterner): how commands carry fields (commands.ts). */
  fieldText(field: FieldModel): string {
    return this.index.fields.textOf(field);
  }

  fieldFromText(text: string): FieldModel {
    return this.index.fields.fromText(text);
  }

  // ---- reads at a past timestamp (catalog-history.ts) ----

  /** The collections of a db as of `ts` (all states), read from the versioned catalog. */
  collectionsAt(dbID: bigint, ts: bigint): Promise<CollectionModel[]> {
    return this.history.collectionsAt(dbID, ts);
  }

  aliasesAt(dbID: bigint, ts: bigint): Promise<AliasModel[]> {
    return this.history.aliasesAt(dbID, ts);
  }

  // ---- snapshots and digests (meta-snapshot.ts, meta-digest.ts) ----

  /** The whole catalog as one snapshot in memory: for tests and small catalogs (a node uses snapshotLater's pieces). */
  async snapshot(): Promise<Uint8Array> {
    return sourceBytes((await this.snapshotLater())());
  }

  /**
   * Capture the catalog as of now (everything applied so far, nothing applied later) and return what
   * encodes it, in pieces, while applying goes on.
   */
  snapshotLater(): Promise<() => AsyncGenerator<Uint8Array>> {
    return captureCatalog(this.store, this.writer, this.codec);
  }

  async restore(data: SnapshotData, index: number): Promise<void> {
    await this.unlessHeld(async () => this.load(await restoreCatalog(data, index, this.store, this.writer, this.index.fields, this.codec)));
  }

  async close(): Promise<void> {
    this.decodeGeneration++;
    await this.stopLoadingRequests();
    await this.writer.flush();
    await this.store.close();
  }

  /**
   * A digest of what this replica serves (its in-memory state, RBAC included) and of what its LevelDB
   * holds, equal on every replica that applied the same entries.
   */
  async digest(): Promise<string> {
    return (await this.digestAtIndex()).digest;
  }

  /**
   * The digest and the applied index it belongs to, taken at one moment (meta-digest.ts): applies and
   * restores wait while memory is read (reads go on; the store is read after, from its snapshot), and
   * a call while one is taken gets that one.
   */
  digestAtIndex(): Promise<{ digest: string; appliedIndex: number }> {
    return this.digestTaken.run(() => this.digestHoldingApplies());
  }

  /**
   * The store's digest at the index applied now, for a replica check's mark (meta-digest.ts
   * storeDigestAtIndex): applies wait from this call until the store is captured (a flush of the
   * write-behind and a LevelDB snapshot), beside any other digest's hold. The caller, the state
   * machine, applies nothing between the mark and this call. Marks' stores are read one at a time, in
   * order (a replica catching up through many marks read them all at once); one no longer `wanted`
   * when its turn comes is not read (null).
   */
  digestForMark(wanted: () => boolean): Promise<{ digest: string; appliedIndex: number } | null> {
    const releaseHold = this.holdApplies();
    const taken = storeDigestAtIndex(this.index, this.store, this.writer, releaseHold, this.markDigests, wanted);
    taken.then(releaseHold, releaseHold);
    this.markDigests = taken.then(
      () => undefined,
      () => undefined,
    );
    return taken;
  }

  /**
   * Applies and restores wait from now until the function returned is called; holds are independent
   * (a mark's digest may start while an operator's digest reads memory, and either may end first).
   */
  private holdApplies(): () => void {
    let release = (): void => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    this.applyHolds.add(hold);
    return () => {
      this.applyHolds.delete(hold);
      release();
    };
  }

  /**
   * Once no apply or restore is under way and the request IDs are loaded (with applies held back: none
   * starts after). A restore under way loads them again when it ends, without waiting for them: so
   * this waits for them after the restore too.
   */
  private async appliesEnded(): Promise<void> {
    for (;;) {
      this.readRequests();
      await this.requestsLoaded();
      if (this.applying === 0) return;
      await new Promise<void>((resolve) => this.applyIdle.push(resolve));
    }
  }

  /**
   * Compare this replica's memory with its own store (memory-check.ts), after the last mark's digest:
   * applies wait while its memory is copied and a LevelDB snapshot taken (no write buffered or in
   * flight), then an index loaded from that snapshot (as a restart loads one, into a separate index)
   * is compared with the copy, a slice at a time; a catalog of more than `memoryCheckPart` collections
   * or request IDs a part at each check, the next one each time (memory-check.ts CheckPart). Null if
   * one is under way.
   */
  checkMemory(): Promise<MemoryCheck> | null {
    if (this.memoryCheck !== null) return null;
    const turn = this.markDigests;
    const check = turn.then(() => this.checkMemoryNow());
    this.memoryCheck = check;
    const done = (): void => {
      if (this.memoryCheck === check) this.memoryCheck = null;
    };
    check.then(done, done);
    return check;
  }

  private async checkMemoryNow(): Promise<MemoryCheck> {
    const now = (): number => this.clock.monotonicMs();
    let view: VersionedStore | null = null;
    try {
      // Applies wait from the LevelDB snapshot until memory is copied (a slice at a time: reads go on;
      // no rest, so that applies wait no longer than the copy takes).
      let memory: MemoryCopy;
      const releaseHold = this.holdApplies();
      try {
        await this.appliesEnded();
        view = await this.writer.atRest(() => this.store.snapshotView(MEMORY_CHECK_BATCH));
        memory = await copyMemory(this.index, this.rbac, slicer(now, DECODE_SLICE_MS));
      } finally {
        releaseHold();
      }
      // Then an eighth of a core at most: every replica checks at once, and on two shared cores three
      // checks at full speed held each node's event loop up to 200 ms at a time (200,000 collections).
      const pause = slicer(now, DECODE_SLICE_MS, () => new Promise((resolve) => this.clock.setTimeout(resolve, MEMORY_CHECK_REST_MS)));
      // A big catalog's next part (memory-check.ts); a small one's only part is all of it.
      const part = this.memoryCheckRounds.take(Math.max(memory.collections.length, memory.requests.keys.length), this.memoryCheckPart, memory.appliedIndex);
      const loaded = new MetaIndex();
      const loadedRbac = new RbacTable();
      await loadCatalog(view, loaded, loadedRbac, { pause, part: { has: (id) => part.hasCollection(id), others: memory.collections } });
      await loadRequests(view, loaded, () => true, MEMORY_CHECK_BATCH, (requestId) => part.hasRequest(requestId));
      const differences = await memoryDifferences(memory, loaded, loadedRbac, part, pause);
      return { appliedIndex: memory.appliedIndex, differences, part: part.part, parts: part.parts };
    } finally {
      await view?.close().catch(() => undefined);
    }
  }

  private async digestHoldingApplies(): Promise<{ digest: string; appliedIndex: number }> {
    // Held from the call on: what is applied or restored after it waits.
    const releaseHold = this.holdApplies();
    try {
      await this.appliesEnded();
      return await digestAtIndex(this.index, this.rbac, this.store, this.writer, () => this.clock.monotonicMs(), releaseHold);
    } finally {
      releaseHold();
    }
  }
}
