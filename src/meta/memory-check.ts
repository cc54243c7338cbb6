import { IdMap } from '../common/id-map.js';
import type { RbacTable } from '../rbac/rbac-table.js';
import { createdOf, PendingCollection, partitionStatesOf } from './collection-table.js';
import { holdsName } from './meta-index.js';
import type { MetaIndex } from './meta-index.js';
import type { CollectionModel } from './model.js';

/**
 * A replica's memory against its own catalog store. Replica checks (replica-checks.ts) compare the
 * replicas' stores; what a replica serves is its memory (meta-index.ts), which a defect or a bit flip
 * can make differ from its store, and which then differs from what it would serve after a restart
 * (and from the other replicas), unseen by the stores' digests. So each replica, at each replica
 * check, loads a fresh index from a LevelDB snapshot of its store taken at the same moment as a copy
 * of its memory (MetaTable.checkMemory), and compares the two here, a slice at a time.
 *
 * What is compared is what reads and preconditions use: the small state (TSO and ID windows,
 * databases and their names, aliases, members, the counts kept so that no DDL scans, RBAC), every
 * collection as decoded, the names of collections per database and the request IDs.
 *
 * A big catalog is compared a part at each check, the next part each time (CheckPart): a fresh index
 * of the whole of it survives V8's young generation while it is built, and at 200,000 collections the
 * scavenges copying it held the thread up to 97 ms. The index of one part holds only that part's
 * collections and request IDs from the store, and memory's own objects for the other collections
 * (compared at their part's check), so the names and the counts kept for DDL are still those of every
 * collection, indexed again, and compared at every check. (Every part at each check, one after the
 * other against the same snapshot, was tried: each part's index became garbage in the old generation,
 * and 6 to 9 mark-compacts per check held the thread up to 258 ms, session 41.)
 */

/** A memory check's result (MetaTable.checkMemory): where memory differed from the store at `appliedIndex` (none: the same), in part `part` of `parts`. */
export interface MemoryCheck {
  readonly appliedIndex: number;
  readonly differences: readonly string[];
  readonly part: number;
  readonly parts: number;
}

/**
 * The part of the catalog one memory check compares with the store: the collections whose ID, and the
 * request IDs whose text, hash to `part` modulo `parts` (one part: all of it). Successive checks take
 * successive parts (CheckRounds), so that `parts` checks in a row (while the catalog's size keeps
 * `parts` the same) cover all of it.
 */
export class CheckPart {
  private readonly partBig: bigint;
  private readonly partsBig: bigint;

  constructor(
    readonly part: number,
    readonly parts: number,
  ) {
    this.partBig = BigInt(part);
    this.partsBig = BigInt(parts);
  }

  /** How many parts a catalog of `size` (the more of its collections and its request IDs) is compared in: at most `perPart` of each in a part (about; 0: one part). */
  static partsOf(size: number, perPart: number): number {
    return perPart > 0 ? Math.max(1, Math.ceil(size / perPart)) : 1;
  }

  /**
   * Whether the collection is in this part: by a multiplicative hash of its ID (IDs come from one
   * allocator in runs and strides, which a plain modulo could put all in one part).
   */
  hasCollection(collectionID: bigint): boolean {
    return this.parts === 1 || ((BigInt.asUintN(64, collectionID * 0x9e3779b97f4a7c15n) >> 32n) % this.partsBig === this.partBig);
  }

  /** Whether the request ID is in this part (by its FNV-1a hash). */
  hasRequest(requestId: string): boolean {
    if (this.parts === 1) return true;
    let hash = 0x811c9dc5;
    for (let i = 0; i < requestId.length; i++) hash = Math.imul(hash ^ requestId.charCodeAt(i), 0x01000193);
    return (hash >>> 0) % this.parts === this.part;
  }
}

/**
 * Which part each memory check compares (MetaTable.checkMemory): the parts in turn, one round for each
 * number of parts (a catalog whose size moves between two numbers still goes round each), starting at
 * the applied index of the first check (a node restarted more often than a round takes still reaches
 * every part).
 */
export class CheckRounds {
  private readonly next = new Map<number, number>();

  /** The part to compare now in a catalog of `size` (the more of its collections and its request IDs), at most `perPart` of each in a part. */
  take(size: number, perPart: number, appliedIndex: number): CheckPart {
    const parts = CheckPart.partsOf(size, perPart);
    const part = this.next.get(parts) ?? appliedIndex % parts;
    this.next.set(parts, (part + 1) % parts);
    return new CheckPart(part, parts);
  }
}

/**
 * Collections (and request IDs) a memory check reads from the store at most, about, unless told
 * otherwise (the limit replicaMemoryCheckPart): a bigger catalog is compared a part at each check,
 * 200,000 collections in 8 checks.
 */
export const MEMORY_CHECK_PART = 25_000;

/** The differences a check reports at most (the first ones found). */
export const MEMORY_DIFFERENCES_SHOWN = 10;

/** Keys and their values at the same positions (StringMap.columns). */
interface Columns<V> {
  readonly keys: readonly string[];
  readonly values: readonly V[];
}

/**
 * What a replica's memory held at one moment: copies of its maps (the models are immutable and
 * shared), as arrays where they are big.
 */
export interface MemoryCopy {
  readonly appliedIndex: number;
  /** The small state. */
  readonly small: Record<string, unknown>;
  readonly collections: ReadonlyArray<CollectionModel | PendingCollection>;
  /** Each database's names of collections and their owners' IDs (databases with none left out). */
  readonly names: ReadonlyArray<readonly [bigint, Columns<bigint>]>;
  readonly requests: Columns<bigint>;
}

/**
 * Copy what `index` and `rbac` serve, `pause` awaited between pieces of the big maps: the caller holds
 * back every change until it resolves (at 200,000 collections, copied at once, it held the thread for
 * 120 to 220 ms).
 */
export async function copyMemory(index: MetaIndex, rbac: RbacTable, pause: () => Promise<void>): Promise<MemoryCopy> {
  const appliedIndex = index.appliedIndex;
  const small = smallState(index, rbac);
  const collections = await index.collections.heldEntries(pause);
  const names: Array<[bigint, Columns<bigint>]> = [];
  for (const [dbID, ofDb] of [...index.names]) if (ofDb.size > 0) names.push([dbID, await ofDb.columns(pause)]);
  return { appliedIndex, small, collections, names, requests: await index.requests.columns(pause) };
}

/** The small part of what an index serves: windows, databases, aliases, members, the counts kept for DDL, RBAC. */
function smallState(index: MetaIndex, rbac: RbacTable): Record<string, unknown> {
  return {
    tsoWindowMs: index.tsoWindowMs,
    idUpTo: index.idUpTo,
    databases: new Map(index.databases),
    dbIdByName: new Map(index.dbIdByName),
    collectionsPerDb: index.collections.dbSizes(),
    aliases: new Map([...index.aliasesByDb].filter(([, aliases]) => aliases.size > 0).map(([dbID, aliases]) => [dbID, new Map(aliases)])),
    members: new Map(index.members),
    derived: index.derivedState(),
    rbac: rbac.servedState(),
  };
}

/**
 * Where `memory` (a replica's, copied) differs from `loaded` (an index loaded from the replica's store
 * at the same moment, with `part`'s collections and request IDs from the store and memory's own
 * collections for the others), the first MEMORY_DIFFERENCES_SHOWN: each a path, with the two values
 * unless they are secret. `pause` is awaited between pieces (it yields to other events when a slice is over).
 */
export async function memoryDifferences(memory: MemoryCopy, loaded: MetaIndex, loadedRbac: RbacTable, part: CheckPart, pause: () => Promise<void>): Promise<string[]> {
  const found: string[] = [];
  const differ = (text: string | null): boolean => {
    if (text !== null && found.length < MEMORY_DIFFERENCES_SHOWN) found.push(text);
    return found.length >= MEMORY_DIFFERENCES_SHOWN;
  };
  // The store's applied index is written with the writes of the entries up to it: entries that change
  // nothing (a mark, an entry with no command) leave it behind memory's, never ahead.
  if (differ(loaded.appliedIndex <= memory.appliedIndex ? null : `appliedIndex: ${memory.appliedIndex} in memory, ${loaded.appliedIndex} in the store`)) return found;
  const small = smallState(loaded, loadedRbac);
  for (const key of Object.keys(memory.small)) if (differ(difference(memory.small[key], small[key], key))) return found;

  for (const entry of memory.collections) {
    const id = entry.collectionID;
    const stored = loaded.collections.held(id);
    // Another part's: memory's own object, in the loaded index's counts and names, compared at its part's check.
    if (stored === entry) {
      await pause();
      continue;
    }
    if (stored === undefined) {
      if (differ(`collections[${id}]: in memory, not in the store`)) return found;
    } else {
      const inMemory = decoded(entry);
      const inStore = decoded(stored);
      if (!equal(inMemory, inStore) && differ(difference(inMemory, inStore, `collections[${id}]`))) return found;
      // A collection not decoded yet is counted and listed by its summary: it must be its records'.
      if (entry instanceof PendingCollection && differ(summaryDifference(entry, inMemory))) return found;
    }
    await pause();
  }
  if (loaded.collections.size !== memory.collections.length) {
    const inMemory = new IdMap<true>();
    for (const entry of memory.collections) inMemory.set(entry.collectionID, true);
    for (const entry of await loaded.collections.heldEntries(pause)) {
      if (!inMemory.has(entry.collectionID) && differ(`collections[${entry.collectionID}]: in the store, not in memory`)) return found;
    }
  }

  // A name only Dropping or Dropped collections hold may go to another of them, or to none, after a
  // load (MetaIndex.indexCollection): no read or precondition depends on it.
  const nameOwnerMatters = (id: bigint | undefined): boolean => id !== undefined && holdsName(loaded.collections.summary(id)?.state);
  const dbsLeft = new Set(loaded.names.keys());
  for (const [dbID, { keys: names, values: ids }] of memory.names) {
    const stored = loaded.names.get(dbID);
    dbsLeft.delete(dbID);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const id = ids[i] as bigint;
      const storedId = stored?.get(name);
      if (storedId !== id && (nameOwnerMatters(id) || nameOwnerMatters(storedId))) {
        if (differ(`names[${dbID}][${JSON.stringify(name)}]: collection ${id} in memory, ${storedId ?? 'none'} in the store`)) return found;
      }
      await pause();
    }
    if (stored !== undefined && stored.size !== names.length) {
      const inMemory = new Set(names);
      for (const [name, id] of stored) if (!inMemory.has(name) && nameOwnerMatters(id) && differ(`names[${dbID}][${JSON.stringify(name)}]: none in memory, collection ${id} in the store`)) return found;
    }
  }
  for (const dbID of dbsLeft) {
    for (const [name, id] of loaded.names.get(dbID) ?? []) if (nameOwnerMatters(id) && differ(`names[${dbID}][${JSON.stringify(name)}]: none in memory, collection ${id} in the store`)) return found;
  }

  // The loaded index holds this part's request IDs only.
  const { keys: requestIds, values: recordedAt } = memory.requests;
  let inPart = 0;
  for (let i = 0; i < requestIds.length; i++) {
    await pause();
    const requestId = requestIds[i] as string;
    if (!part.hasRequest(requestId)) continue;
    inPart++;
    const ts = recordedAt[i] as bigint;
    const storedTs = loaded.requests.get(requestId);
    if (storedTs !== ts && differ(`requests[${JSON.stringify(requestId)}]: recorded at ${ts} in memory, ${storedTs === undefined ? 'not' : `at ${storedTs}`} in the store`)) return found;
  }
  if (loaded.requests.size !== inPart) {
    const inMemory = new Set(requestIds);
    for (const [requestId, ts] of loaded.requests) if (!inMemory.has(requestId) && differ(`requests[${JSON.stringify(requestId)}]: not in memory, recorded at ${ts} in the store`)) return found;
  }
  return found;
}

/** Where a pending collection's summary (what the index counts and lists it by) differs from its decoded records, if it does. */
function summaryDifference(pending: PendingCollection, model: CollectionModel): string | null {
  const summary = { dbID: pending.dbID, name: pending.name, state: pending.state, shardsNum: pending.shardsNum, physicalChannelNames: pending.physicalChannelNames, createdPartitions: pending.createdPartitions, partitionStates: pending.partitionStates };
  const records = { dbID: model.dbID, name: model.name, state: model.state, shardsNum: model.shardsNum, physicalChannelNames: model.physicalChannelNames, createdPartitions: createdOf(model), partitionStates: partitionStatesOf(model) };
  return difference(summary, records, `collections[${pending.collectionID}] summary`, ['in memory', 'in its records']);
}

/** A collection as decoded (without changing the table that holds it). */
function decoded(entry: CollectionModel | PendingCollection): CollectionModel {
  return entry instanceof PendingCollection ? entry.decode() : entry;
}

/** Paths whose values are not shown (password hashes). */
const SECRET = /credential|password/i;

/**
 * Whether `a` and `b` are equal as `difference` compares them, making nothing (no path, no list of
 * keys): most collections are equal, and building paths for all of them cost 2 s at 200,000.
 */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Map || a instanceof Set || b instanceof Map || b instanceof Set) return difference(a, b, '') === null;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let members = 0;
  for (const key in left) {
    const value = left[key];
    if (value === undefined || typeof value === 'function') continue;
    members++;
    if (!equal(value, right[key])) return false;
  }
  for (const key in right) {
    const value = right[key];
    if (value !== undefined && typeof value !== 'function') members--;
  }
  return members === 0;
}

/**
 * The first place where `a` and `b` differ (null: equal), as a path and the two values. Compared as
 * the catalog stores them: bigints, strings, numbers and booleans by value, arrays in order, objects
 * member by member with an undefined member the same as none (JSON drops it), maps and sets key by key in
 * any order; functions are ignored. `sides`: how `a` and `b` are named in the text.
 */
export function difference(a: unknown, b: unknown, path: string, sides: readonly [string, string] = ['in memory', 'in the store']): string | null {
  if (a === b) return null;
  const [first, second] = sides;
  const secret = SECRET.test(path);
  const unlike = (): string => (secret ? `${path}: differs (not shown: a secret)` : `${path}: ${shown(a)} ${first}, ${shown(b)} ${second}`);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return unlike();
  if (a instanceof Set && b instanceof Set) return difference(new Map([...a].map((key) => [key, true])), new Map([...b].map((key) => [key, true])), path, sides);
  if (Array.isArray(a) !== Array.isArray(b) || a instanceof Map !== b instanceof Map) return unlike();
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    for (const key of new Set([...a.keys(), ...other.keys()])) {
      const where = `${path}[${shown(key)}]`;
      if (!a.has(key) || !other.has(key)) return secret ? unlike() : `${where}: ${a.has(key) ? `${first}, not ${second}` : `${second}, not ${first}`}`;
      const found = difference(a.get(key), other.get(key), where, sides);
      if (found !== null) return found;
    }
    return null;
  }
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return secret ? unlike() : `${path}: ${a.length} items ${first}, ${other.length} ${second}`;
    for (let i = 0; i < a.length; i++) {
      const found = difference(a[i], other[i], `${path}[${i}]`, sides);
      if (found !== null) return found;
    }
    return null;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (typeof left[key] === 'function' || typeof right[key] === 'function') continue;
    const found = difference(left[key], right[key], `${path}.${key}`, sides);
    if (found !== null) return found;
  }
  return null;
}

/** A value in a difference's text, cut short. */
function shown(value: unknown): string {
  const text = typeof value === 'bigint' ? `${value}n` : value === undefined ? 'undefined' : (JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
