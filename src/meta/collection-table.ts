import { IdMap } from '../common/id-map.js';
import { getOrAdd } from '../common/maps.js';
import { CollectionState, PartitionState } from './model.js';
import type { CollectionModel, FieldModel, FunctionModel, PartitionModel, StructArrayFieldModel } from './model.js';

/**
 * What the index counts and filters a collection by, known without decoding its records: a decoded
 * collection has it, and so has one loaded but not decoded yet (PendingCollection).
 */
export interface CollectionSummary {
  readonly collectionID: bigint;
  readonly dbID: bigint;
  readonly name: string;
  readonly state: CollectionState;
  readonly shardsNum: number;
  readonly physicalChannelNames: readonly string[];
}

/**
 * A collection read from the catalog at a start (or a snapshot's install) and not decoded yet: its
 * summary, from its record, how many of its partitions are Created and which partition states it has
 * (every record read and checked whole, so a bad one still stops the load), and its records as read,
 * made its model by `decodeIt` when it is first used (CollectionRecords). A restart at 200,000
 * collections makes none of their models (objects, bigints, partitions) until they are asked for.
 */
export class PendingCollection implements CollectionSummary {
  constructor(
    readonly collectionID: bigint,
    readonly dbID: bigint,
    readonly name: string,
    readonly state: CollectionState,
    readonly shardsNum: number,
    readonly physicalChannelNames: readonly string[],
    /** How many of its partitions are Created. */
    readonly createdPartitions: number,
    /** Bit `1 << state` set for each state one of its partitions is in. */
    readonly partitionStates: number,
    /** Its collection record, and its partitions' records, as stored. */
    readonly record: string,
    readonly partitionRecords: readonly string[],
    /** Its fields (shared), functions and struct-array fields, decoded when read (they are few or shared). */
    readonly fields: readonly FieldModel[],
    readonly functions: readonly FunctionModel[],
    readonly structArrayFields: readonly StructArrayFieldModel[],
    private readonly decodeIt: (pending: PendingCollection) => CollectionModel,
  ) {}

  decode(): CollectionModel {
    return this.decodeIt(this);
  }
}

type Entry = CollectionModel | PendingCollection;

/** How many of `partitions` are Created. */
function createdPartitions(partitions: readonly PartitionModel[]): number {
  let created = 0;
  for (const p of partitions) if (p.state === PartitionState.Created) created++;
  return created;
}

/** How many Created partitions a collection has, decoded or not. */
export function createdOf(entry: CollectionModel | PendingCollection): number {
  return entry instanceof PendingCollection ? entry.createdPartitions : createdPartitions(entry.partitions);
}

/** Bit `1 << state` set for each state one of the collection's partitions is in, decoded or not. */
export function partitionStatesOf(entry: Entry): number {
  if (entry instanceof PendingCollection) return entry.partitionStates;
  let states = 0;
  for (const p of entry.partitions) states |= 1 << p.state;
  return states;
}

const IN_TRANSITION = (1 << PartitionState.Creating) | (1 << PartitionState.Dropping);

/** The collections as the catalog's readers see them (CatalogView): a read-only map, and what the index filters. */
export interface CollectionsView extends Iterable<[bigint, CollectionModel]> {
  readonly size: number;
  has(id: bigint): boolean;
  get(id: bigint): CollectionModel | undefined;
  keys(): IterableIterator<bigint>;
  values(): IterableIterator<CollectionModel>;
  entries(): IterableIterator<[bigint, CollectionModel]>;
  inTransition(): CollectionModel[];
  onChannel(pchannel: string): CollectionModel[];
}

/**
 * The latest collections by ID, and by database: a map of decoded collections to its readers, that
 * holds collections loaded but not decoded yet (PendingCollection) and decodes each when it is first
 * read (and keeps it decoded). What the index counts (created partitions, channels, names) is known
 * for both without decoding; only what reads a collection's records decodes it.
 */
export class CollectionTable implements CollectionsView {
  /** By ID (an IdMap: no table of all 200,000 to copy when it grows). */
  private readonly all = new IdMap<Entry>();
  /** dbID -> its collections by ID (the same entries). */
  private readonly byDb = new Map<bigint, IdMap<Entry>>();
  /** The IDs of the pending collections in the order they were added (decodeSome's queue; some may be decoded or gone since), and how far it got. */
  private queue: bigint[] = [];
  private queued = 0;
  /** How many entries are pending (0 once a load's collections are all decoded: ofDb's fast path). */
  private pending = 0;

  get size(): number {
    return this.all.size;
  }

  has(id: bigint): boolean {
    return this.all.has(id);
  }

  get(id: bigint): CollectionModel | undefined {
    const entry = this.all.get(id);
    return entry instanceof PendingCollection ? this.decoded(entry) : entry;
  }

  /** The summary of a collection, decoded or not. */
  summary(id: bigint): CollectionSummary | undefined {
    return this.all.get(id);
  }

  /** How many collections each database holds (a copy). */
  dbSizes(): Map<bigint, number> {
    return new Map([...this.byDb].map(([dbID, inDb]) => [dbID, inDb.size]));
  }

  /** A collection as held, decoded or not (decoding it is the caller's: the table keeps it as it is). */
  held(id: bigint): CollectionModel | PendingCollection | undefined {
    return this.all.get(id);
  }

  /**
   * Every collection as held, decoded or not: a copy, which later changes of the table leave as it is;
   * `pause` awaited between pieces (the caller changes nothing meanwhile; a decode on a read may, which
   * leaves either form of a collection in the copy).
   */
  heldEntries(pause: () => Promise<void>): Promise<Array<CollectionModel | PendingCollection>> {
    return this.all.valueArrayPausing(pause);
  }

  /** How many Created partitions the collection has (0: none, or no such collection), decoded or not. */
  createdPartitionCount(id: bigint): number {
    const entry = this.all.get(id);
    return entry === undefined ? 0 : createdOf(entry);
  }

  /** Add or replace a collection (a replaced one keeps its database: a move is a delete and an add). */
  set(entry: Entry): void {
    if (this.all.get(entry.collectionID) instanceof PendingCollection) this.pending--;
    this.all.set(entry.collectionID, entry);
    getOrAdd(this.byDb, entry.dbID, () => new IdMap<Entry>()).set(entry.collectionID, entry);
    if (entry instanceof PendingCollection) {
      this.pending++;
      this.queue.push(entry.collectionID);
    }
  }

  delete(id: bigint): void {
    const entry = this.all.get(id);
    if (entry === undefined) return;
    if (entry instanceof PendingCollection) this.pending--;
    this.all.delete(id);
    const inDb = this.byDb.get(entry.dbID);
    inDb?.delete(id);
    if (inDb?.size === 0) this.byDb.delete(entry.dbID);
  }

  clear(): void {
    this.all.clear();
    this.byDb.clear();
    this.queue = [];
    this.queued = 0;
    this.pending = 0;
  }

  /**
   * Decode pending collections, in the order they were added, until `enough()` (asked after every 64)
   * or none is left; whether any is left. What the MetaTable runs in slices after a load, so that the
   * first read of a large database (ShowCollections of 50,000) does not decode them all at once.
   */
  decodeSome(enough: () => boolean): boolean {
    while (this.queued < this.queue.length) {
      const end = Math.min(this.queue.length, this.queued + 64);
      for (; this.queued < end; this.queued++) {
        const entry = this.all.get(this.queue[this.queued] as bigint);
        if (entry instanceof PendingCollection) this.decoded(entry);
      }
      if (enough()) break;
    }
    if (this.queued < this.queue.length) return true;
    this.queue = [];
    this.queued = 0;
    return false;
  }

  /** The collections of a database (any state), in no particular order; its size is the cost. */
  ofDb(dbID: bigint): CollectionModel[] {
    const inDb = this.byDb.get(dbID);
    if (inDb === undefined) return [];
    // Nothing to decode: a copy without a test per entry (which costs 0.1 µs on entries of many shapes).
    if (this.pending === 0) return inDb.valueArray() as CollectionModel[];
    const out: CollectionModel[] = [];
    for (const entry of inDb.values()) out.push(entry instanceof PendingCollection ? this.decoded(entry) : entry);
    return out;
  }

  /** Whether a collection of the database passes `test` (on its summary: none is decoded). */
  someInDb(dbID: bigint, test: (summary: CollectionSummary) => boolean): boolean {
    for (const entry of this.byDb.get(dbID)?.values() ?? []) if (test(entry)) return true;
    return false;
  }

  /**
   * The collections that are, or have a partition that is, Creating or Dropping (what a new leader
   * rolls back or forward): only those are decoded.
   */
  inTransition(): CollectionModel[] {
    return this.where((s, entry) => s.state === CollectionState.Creating || s.state === CollectionState.Dropping || (partitionStatesOf(entry) & IN_TRANSITION) !== 0);
  }

  /** The collections with a shard on physical channel `pchannel`: only those are decoded. */
  onChannel(pchannel: string): CollectionModel[] {
    return this.where((s) => s.physicalChannelNames.includes(pchannel));
  }

  private where(test: (summary: CollectionSummary, entry: Entry) => boolean): CollectionModel[] {
    const out: CollectionModel[] = [];
    for (const entry of this.all.values()) {
      if (test(entry, entry)) out.push(entry instanceof PendingCollection ? this.decoded(entry) : entry);
    }
    return out;
  }

  /** Decode a pending collection and keep it decoded (it replaces the pending one in both maps). */
  private decoded(pending: PendingCollection): CollectionModel {
    const model = pending.decode();
    this.set(model);
    return model;
  }

  // ---- as a map: reading every collection decodes every one ----

  *entries(): Generator<[bigint, CollectionModel]> {
    // Over a copy of the keys: the caller may change the table between two collections.
    for (const id of [...this.all.keys()]) {
      const model = this.get(id);
      if (model !== undefined) yield [id, model];
    }
  }

  keys(): Generator<bigint> {
    return this.all.keys();
  }

  *values(): Generator<CollectionModel> {
    for (const [, model] of this.entries()) yield model;
  }

  [Symbol.iterator](): Generator<[bigint, CollectionModel]> {
    return this.entries();
  }

}
