import { parse } from '../common/bigint-json.js';
import { IdMap } from '../common/id-map.js';
import { getOrAdd } from '../common/maps.js';
import { keys, TOMBSTONE } from './catalog-keys.js';
import type { FieldInterner } from './field-interner.js';
import type { CollectionModel, FieldModel, FunctionModel, PartitionModel, StructArrayFieldModel } from './model.js';
import type { VersionedStore } from './versioned-store.js';
import { checkedPartitionState, collectionSummary, decodeCollection, decodePartition, isDecimal, partitionStateOf, shareCollectionIds } from './record-codec.js';
import { PendingCollection } from './collection-table.js';
import type { CollectionSummary } from './collection-table.js';
import { PartitionState } from './model.js';

/** A collection as stored under its own key (its fields and partitions have keys of their own). */
export type StoredCollection = Omit<CollectionModel, 'fields' | 'partitions' | 'functions' | 'structArrayFields'>;

const COLLECTIONS = keys.collectionPrefix();
const FIELDS = keys.fieldPrefix();
const PARTITIONS = keys.partitionPrefix();
const FUNCTIONS = keys.functionPrefix();
const STRUCT_ARRAY_FIELDS = keys.structArrayFieldPrefix();
const LIST_NAMES = keys.collectionFieldListPrefix;
const LISTS = keys.fieldListPrefix;

/**
 * A catalog record that does not read as its kind: the catalog is not loaded (nor the node started, nor
 * a snapshot installed) on it. `advice`: what to do about it, where the record came from is known.
 */
export class CatalogRecordError extends Error {
  override name = 'CatalogRecordError';

  constructor(
    readonly key: string,
    readonly reason: unknown,
    advice = '',
  ) {
    super(`catalog record ${key} cannot be read: ${reason instanceof Error ? reason.message : String(reason)}.${advice === '' ? '' : ` ${advice}`}`, { cause: reason });
  }

  /** The same error, with `advice`. */
  withAdvice(advice: string): CatalogRecordError {
    return new CatalogRecordError(this.key, this.reason, advice);
  }
}

/** What to do about a record this member's own catalog holds (at a start). */
export const UNREADABLE_RECORD_AT_LOAD =
  "If the other members start, this member's catalog is damaged: rebuild it from them (`scripts/cluster remove <id>`, then `scripts/cluster add`, " +
  'which gives it a new ID; not its data directory wiped under its old ID). If every member refuses the same record, a bug wrote it: keep the data directories and report it.';

/** What to do about a record in a snapshot the leader sent. */
export const UNREADABLE_RECORD_IN_SNAPSHOT =
  "It came in the leader's snapshot: the leader's catalog holds it too (written by a bug, or by a build of another catalog format; see the README's \"Upgrades\").";

/**
 * A catalog's collections gathered from its latest records (collection, field list, partition, function
 * and struct-array field keys; the field records of a catalog before format 4):
 * from a scan of the store when a node starts, or from a snapshot's records while they are written, so
 * that a new member does not read back the catalog it has just written. Fields are interned as they
 * come (FieldInterner): collections of one schema share their field objects, parsed once.
 */
export class CollectionRecords {
  /**
   * Each collection's record as stored, its key, its ID from its key (idInKey), and, with
   * `checkAsAdded`, its summary read as it came (null: a record of the earlier object form).
   */
  private readonly stored: string[] = [];
  private readonly storedKeys: string[] = [];
  private readonly storedIds: bigint[] = [];
  private readonly summaries: Array<CollectionSummary | null> = [];
  /** The list each stored collection names, once looked up (storedListKeys). */
  private listKeys: Array<string | undefined> | null = null;
  private readonly fields: Children<FieldModel>;
  /**
   * Partition records as stored, each checked whole as it comes, decoded with its collection
   * (collections(), or when first read after pending()).
   */
  private readonly partitions: Children<string>;
  private readonly functions: Children<FunctionModel>;
  private readonly structArrayFields: Children<StructArrayFieldModel>;
  /** Collection ID -> the key of the field list it names (FieldLists), one string per distinct key (listKeyOnce). */
  private readonly listNames = new IdMap<string>();
  private readonly listKeyOnce = new Map<string, string>();
  /** List key -> the shared fields of that stored list. */
  private readonly lists = new Map<string, readonly FieldModel[]>();
  /** Filled by collections() or pending(): the collections that name no stored list (a catalog of format 2). */
  readonly unlisted: bigint[] = [];
  private readonly unlistedSeen = new Set<bigint>();

  /**
   * `fieldsLater`: field records given to add() are skipped; readFieldsIfNeeded reads them from the
   * store afterwards if a collection names no stored list (a snapshot's lists come after its fields).
   * `checkAsAdded`: a collection record is checked by add(), not later by pending() (a snapshot's
   * records, so that a bad one stops its install before it is applied; at a start pending() checks
   * them, the parse then short-lived: keeping 200,000 summaries from the scan on made a load slower).
   * `has`: the collections whose records are taken (a memory check reads one part: memory-check.ts);
   * the others' records are passed over unread.
   */
  constructor(
    private readonly interner: FieldInterner,
    private readonly fieldsLater = false,
    private readonly checkAsAdded = false,
    private readonly has: (collectionID: bigint) => boolean = every,
  ) {
    this.fields = new Children<FieldModel>(FIELDS, (text) => interner.fromText(text), has);
    this.partitions = new Children<string>(
      PARTITIONS,
      (text) => {
        partitionStateOf(text);
        return text;
      },
      has,
    );
    this.functions = new Children<FunctionModel>(FUNCTIONS, (text) => parse<FunctionModel>(text), has);
    this.structArrayFields = new Children<StructArrayFieldModel>(STRUCT_ARRAY_FIELDS, (text) => parse<StructArrayFieldModel>(text), has);
  }

  /**
   * The kinds scanned from `store` at once: while LevelDB reads the next batches of some, this thread
   * parses another's. The field records are read only if a collection names no stored field list.
   * `has`: as for the constructor.
   */
  static async scan(store: VersionedStore, interner: FieldInterner, pause?: () => Promise<void>, has?: (collectionID: bigint) => boolean): Promise<CollectionRecords> {
    const records = new CollectionRecords(interner, true, false, has);
    try {
      await Promise.all([LISTS, LIST_NAMES, PARTITIONS, COLLECTIONS, FUNCTIONS, STRUCT_ARRAY_FIELDS].map((prefix) => store.forEachLive(prefix, records.adderOf(prefix))));
      if (pause !== undefined) await records.lookUpListKeys(pause);
      await records.readFieldsIfNeeded(store);
    } catch (error) {
      throw error instanceof CatalogRecordError ? error.withAdvice(UNREADABLE_RECORD_AT_LOAD) : error;
    }
    return records;
  }

  /** Read the field records from `store` if a collection names no stored field list (skipped by add() with `fieldsLater`). */
  async readFieldsIfNeeded(store: VersionedStore): Promise<void> {
    if (this.storedListKeys().every((listKey) => listKey !== undefined)) return;
    await store.forEachLive(FIELDS, (key, value) => this.read(key, () => this.fields.add(key, value)));
  }

  /**
   * The key of the stored field list each stored collection names (undefined: none, or it is not
   * stored), looked up once all lists and names are in (they come after the collections in key order).
   */
  private storedListKeys(): ReadonlyArray<string | undefined> {
    this.listKeys ??= this.storedIds.map((id) => this.storedListKeyOf(id));
    return this.listKeys;
  }

  /** storedListKeys looked up now, `pause` awaited after each (a load beside serving: 100 ms at once at 200,000 collections). */
  private async lookUpListKeys(pause: () => Promise<void>): Promise<void> {
    const listKeys: Array<string | undefined> = [];
    for (const id of this.storedIds) {
      listKeys.push(this.storedListKeyOf(id));
      await pause();
    }
    this.listKeys = listKeys;
  }

  private storedListKeyOf(id: bigint): string | undefined {
    const named = this.listNames.get(id);
    return named !== undefined && this.lists.has(named) ? named : undefined;
  }

  /** The keys of the stored field lists. */
  storedLists(): Iterable<string> {
    return this.lists.keys();
  }

  /**
   * Take a latest record if it belongs to a collection (other keys, versions included, are not). Each
   * kind must come in key order. A record that cannot be read is a CatalogRecordError naming its key.
   */
  add(key: string, value: string): void {
    try {
      this.take(key, value);
    } catch (error) {
      throw new CatalogRecordError(key, error);
    }
  }

  /**
   * add() for the latest records of one kind (`prefix`, one of the kinds scan() reads), which are live
   * (no tombstone): a scan of 600,000 records at 200,000 collections tells each one's kind by its range,
   * not by testing its key against every kind's prefix.
   */
  private adderOf(prefix: string): (key: string, value: string) => void {
    const kind = this.kinds.find(([kindPrefix]) => kindPrefix === prefix);
    if (kind === undefined) throw new Error(`no kind of collection record is under ${prefix}`);
    const take = kind[1];
    return (key, value) => {
      try {
        take(key, value);
      } catch (error) {
        throw new CatalogRecordError(key, error);
      }
    };
  }

  private take(key: string, value: string): void {
    if (value === TOMBSTONE) return;
    for (const [prefix, take] of this.kinds) if (key.startsWith(prefix)) return take(key, value);
  }

  /** Each kind of record a collection has, by its key's prefix (none is another's prefix), and how one is taken. */
  private readonly kinds: ReadonlyArray<readonly [string, (key: string, value: string) => void]> = [
    // Read later (readFieldsIfNeeded) if at all, but its key checked now: a snapshot's bad one stops
    // the install before the snapshot is applied.
    [FIELDS, (key, value) => (this.fieldsLater ? void collectionIdOfChild(FIELDS, key) : this.fields.add(key, value))],
    [PARTITIONS, (key, value) => this.partitions.add(key, value)],
    [
      COLLECTIONS,
      (key, value) => {
        const id = idInKey(key.slice(key.lastIndexOf('/') + 1));
        if (!this.has(id)) return;
        if (this.checkAsAdded) this.summaries.push(checkedSummary(value));
        this.stored.push(value);
        this.storedKeys.push(key);
        this.storedIds.push(id);
      },
    ],
    [FUNCTIONS, (key, value) => this.functions.add(key, value)],
    [STRUCT_ARRAY_FIELDS, (key, value) => this.structArrayFields.add(key, value)],
    [
      LIST_NAMES,
      (key, value) => {
        const id = idInKey(key.slice(LIST_NAMES.length));
        if (!this.has(id)) return;
        // Collections of one schema name the same list: they share one string of its key.
        let listKey = this.listKeyOnce.get(value);
        if (listKey === undefined) this.listKeyOnce.set(value, (listKey = value));
        this.listNames.set(id, listKey);
      },
    ],
    [LISTS, (key, value) => this.lists.set(key.slice(LISTS.length), this.interner.fromListText(value))],
  ];

  /**
   * Every collection with its fields and partitions, decoded (by creation): the fields of its stored
   * list, in their order, or else those of its field records (user fields by ID, then the system fields).
   */
  *collections(): Generator<CollectionModel> {
    for (let i = 0; i < this.stored.length; i++) {
      const id = this.storedIds[i] as bigint;
      yield this.decoded(this.stored[i] as string, this.partitions.of(id), this.fieldsAt(i), this.functions.of(id), this.structArrayFields.of(id), this.storedKeys[i] as string);
    }
  }

  /**
   * Every collection (by creation), not decoded: what the index needs of it now (its summary and its
   * partitions' states, read as the records came), its records kept to decode when it is first read
   * (catalog-load.ts); a record of the earlier object form (a snapshot of an earlier build) decoded
   * now. Every record is checked by now (a collection record here unless `checkAsAdded`: one that
   * does not read is a CatalogRecordError with the advice for this member's own catalog, as at a
   * start), so a later decode does not fail.
   */
  *pending(): Generator<CollectionModel | PendingCollection> {
    const decode = (p: PendingCollection): CollectionModel =>
      this.decoded(p.record, p.partitionRecords, p.fields, p.functions, p.structArrayFields, keys.collection(p.dbID, p.collectionID), UNREADABLE_RECORD_AT_LOAD);
    for (let i = 0; i < this.stored.length; i++) {
      const text = this.stored[i] as string;
      const id = this.storedIds[i] as bigint;
      const fields = this.fieldsAt(i);
      const partitions = this.partitions.of(id);
      const summary = this.checkAsAdded ? (this.summaries[i] as CollectionSummary | null) : this.read(this.storedKeys[i] as string, () => checkedSummary(text), UNREADABLE_RECORD_AT_LOAD);
      if (summary === null) {
        yield this.decoded(text, partitions, fields, this.functions.of(id), this.structArrayFields.of(id), this.storedKeys[i] as string);
        continue;
      }
      let created = 0;
      let states = 0;
      for (const partition of partitions) {
        const state = checkedPartitionState(partition);
        if (state === PartitionState.Created) created++;
        states |= 1 << state;
      }
      yield new PendingCollection(summary.collectionID, summary.dbID, summary.name, summary.state, summary.shardsNum, summary.physicalChannelNames, created, states, text, partitions, fields, this.functions.of(id), this.structArrayFields.of(id), decode);
    }
  }

  /** The fields of the i-th stored collection: its stored list's, or else its field records'. */
  private fieldsAt(i: number): readonly FieldModel[] {
    const listKey = this.storedListKeys()[i];
    if (listKey !== undefined) return this.lists.get(listKey) as readonly FieldModel[];
    const id = this.storedIds[i] as bigint;
    if (!this.unlistedSeen.has(id)) {
      this.unlistedSeen.add(id);
      this.unlisted.push(id);
    }
    return this.interner.list(this.fields.of(id), byFieldRank);
  }

  /** `read()`, a record that cannot be read a CatalogRecordError naming `key` (with `advice`). */
  private read<T>(key: string, read: () => T, advice = ''): T {
    try {
      return read();
    } catch (error) {
      throw new CatalogRecordError(key, error, advice);
    }
  }

  /** A collection from its records (its partitions by creation; functions and struct-array fields only when there are any). */
  private decoded(
    text: string,
    partitionRecords: readonly string[],
    fields: readonly FieldModel[],
    functions: readonly FunctionModel[],
    structArrayFields: readonly StructArrayFieldModel[],
    key: string,
    advice = '',
  ): CollectionModel {
    const stored = this.read(key, () => decodeCollection(text), advice);
    const partitions = partitionRecords.map((record) => this.read(keys.partitionPrefix(stored.collectionID), () => decodePartition(record), advice));
    shareCollectionIds(partitions, stored);
    if (partitions.length > 1) partitions.sort((a, b) => (a.createdTs < b.createdTs ? -1 : a.createdTs > b.createdTs ? 1 : a.partitionID < b.partitionID ? -1 : 1));
    // The parsed record becomes the collection (a spread of its 15 properties cost 0.5 s per 200,000).
    const collection = Object.assign(stored, { fields, partitions });
    // Functions and struct-array fields only when there are any: a collection without them reads as
    // it did before they were kept.
    if (functions.length > 0) Object.assign(collection, { functions: [...functions].sort((a, b) => (a.id < b.id ? -1 : 1)) });
    if (structArrayFields.length > 0) Object.assign(collection, { structArrayFields: [...structArrayFields].sort((a, b) => (a.fieldID < b.fieldID ? -1 : 1)) });
    return collection;
  }
}

/** Every collection (CollectionRecords' `has` unless told otherwise). */
const every = (): boolean => true;

/**
 * The children (fields or partitions) under `prefix` (`.../{collectionID}/{childID}`), by collection
 * ID. A collection's children are adjacent in key order: one map lookup per collection, not per child.
 * Those of a collection `has` says no to are passed over unread.
 */
class Children<T> {
  /** An IdMap: a Map of 200,000 collections grew by copying its whole table (90 to 130 ms beside other work). */
  private readonly byCollection = new IdMap<T[]>();
  private currentId = '';
  /** The current collection's children (null: it is passed over). */
  private current: T[] | null = [];

  constructor(
    private readonly prefix: string,
    private readonly read: (text: string) => T,
    private readonly has: (collectionID: bigint) => boolean,
  ) {}

  add(key: string, value: string): void {
    const prefix = this.prefix;
    const end = key.indexOf('/', prefix.length);
    if (this.currentId === '' || end - prefix.length !== this.currentId.length || !key.startsWith(this.currentId, prefix.length)) {
      this.currentId = key.slice(prefix.length, end);
      const id = collectionIdOfChild(prefix, key);
      this.current = this.has(id) ? getOrAdd(this.byCollection, id, () => []) : null;
    }
    this.current?.push(this.read(value));
  }

  /** A collection's children (shared and empty if it has none: most have no functions, for one). */
  of(collectionID: bigint): readonly T[] {
    if (this.byCollection.size === 0) return NONE;
    return this.byCollection.get(collectionID) ?? NONE;
  }
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * The ID a key holds, as a bigint: the load's maps and lists keep bigints, not the ID's text, which is
 * a slice of the key and keeps all of it alive (at 200,000 collections, keeping fewer strings made a
 * load about 9% faster, mostly in the garbage collector). A key whose ID part is not one is refused.
 */
function idInKey(text: string): bigint {
  // As `${id}` writes an ID (a bigint in decimal, not negative, at most 20 digits): no other text is one.
  if (text.length > 20 || text.startsWith('-') || !isDecimal(text)) throw new Error(`its key holds "${text}" where an ID belongs`);
  return BigInt(text);
}

/** The collection ID of a child's key (`{prefix}{collectionID}/{childID}`). */
function collectionIdOfChild(prefix: string, key: string): bigint {
  const end = key.indexOf('/', prefix.length);
  if (end < 0) throw new Error('its key holds no child ID after the collection ID');
  return idInKey(key.slice(prefix.length, end));
}

/** A collection record's summary (null: the object form, checked by decoding it); throws if it does not read. */
function checkedSummary(text: string): CollectionSummary | null {
  const summary = collectionSummary(text);
  if (summary === null) decodeCollection(text);
  return summary;
}

/** User fields (IDs from 100) in order, then the system fields RowID (0) and Timestamp (1), as Milvus appends them. */
export function byFieldRank(a: FieldModel, b: FieldModel): number {
  const rank = (f: FieldModel): bigint => (f.fieldID >= 100n ? f.fieldID : f.fieldID + (1n << 62n));
  return rank(a) < rank(b) ? -1 : 1;
}
