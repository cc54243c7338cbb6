import { sortedByKey } from '../common/maps.js';
import type { RbacTable } from '../rbac/rbac-table.js';
import { PendingCollection } from './collection-table.js';
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
 */

/** The differences a check reports at most (the first ones found). */
export const MEMORY_DIFFERENCES_SHOWN = 10;

/** What a replica's memory held at one moment: copies of its maps (the models are immutable and shared). */
export interface MemoryCopy {
  readonly appliedIndex: number;
  /** The small state, in a canonical order. */
  readonly small: Record<string, unknown>;
  readonly collections: ReadonlyArray<CollectionModel | PendingCollection>;
  /** dbID -> [name, collection ID] of each name (databases with no name left out), sorted. */
  readonly names: ReadonlyArray<readonly [bigint, ReadonlyArray<readonly [string, bigint]>]>;
  readonly requests: ReadonlyArray<readonly [string, bigint]>;
}

/** Copy what `index` and `rbac` serve now (the caller holds back every change while it runs). */
export function copyMemory(index: MetaIndex, rbac: RbacTable): MemoryCopy {
  const names: Array<[bigint, Array<[string, bigint]>]> = [];
  for (const [dbID, ofDb] of sortedByKey(index.names)) if (ofDb.size > 0) names.push([dbID, [...ofDb]]);
  return {
    appliedIndex: index.appliedIndex,
    small: {
      tsoWindowMs: index.tsoWindowMs,
      idUpTo: index.idUpTo,
      databases: new Map(index.databases),
      dbIdByName: new Map(index.dbIdByName),
      aliases: new Map([...index.aliasesByDb].filter(([, aliases]) => aliases.size > 0).map(([dbID, aliases]) => [dbID, new Map(aliases)])),
      members: new Map(index.members),
      derived: index.derivedState(),
      rbac: rbac.servedState(),
    },
    collections: index.collections.heldEntries(),
    names,
    requests: [...index.requests],
  };
}

/**
 * Where `memory` (a replica's, copied) differs from `loaded` (an index loaded from the replica's store
 * at the same moment), the first MEMORY_DIFFERENCES_SHOWN: each a path, with the two values unless
 * they are secret. `pause` is awaited between pieces (it yields to other events when a slice is over).
 */
export async function memoryDifferences(memory: MemoryCopy, loaded: MetaIndex, loadedRbac: RbacTable, pause: () => Promise<void>): Promise<string[]> {
  const found: string[] = [];
  const differ = (text: string | null): boolean => {
    if (text !== null && found.length < MEMORY_DIFFERENCES_SHOWN) found.push(text);
    return found.length >= MEMORY_DIFFERENCES_SHOWN;
  };
  const fresh = copyMemory(loaded, loadedRbac);
  // The store's applied index is written with the writes of the entries up to it: entries that change
  // nothing (a mark, an entry with no command) leave it behind memory's, never ahead.
  if (differ(fresh.appliedIndex <= memory.appliedIndex ? null : `appliedIndex: ${memory.appliedIndex} in memory, ${fresh.appliedIndex} in the store`)) return found;
  for (const key of Object.keys(memory.small)) if (differ(difference(memory.small[key], fresh.small[key], key))) return found;

  const seen = new Set<bigint>();
  for (const entry of memory.collections) {
    const id = entry.collectionID;
    seen.add(id);
    const stored = loaded.collections.held(id);
    const text = stored === undefined ? `collections[${id}]: in memory, not in the store` : difference(decoded(entry), decoded(stored), `collections[${id}]`);
    if (differ(text)) return found;
    await pause();
  }
  if (fresh.collections.length !== memory.collections.length) {
    for (const entry of fresh.collections) {
      if (!seen.has(entry.collectionID) && differ(`collections[${entry.collectionID}]: in the store, not in memory`)) return found;
    }
  }

  // A name only Dropping or Dropped collections hold may go to another of them, or to none, after a
  // load (MetaIndex.indexCollection): no read or precondition depends on it.
  const nameOwnerMatters = (id: bigint | undefined): boolean => id !== undefined && holdsName(loaded.collections.summary(id)?.state);
  const loadedDbs = new Set<bigint>();
  for (const [dbID] of fresh.names) loadedDbs.add(dbID);
  for (const [dbID, ofDb] of memory.names) {
    const stored = loaded.names.get(dbID);
    loadedDbs.delete(dbID);
    for (const [name, id] of ofDb) {
      const storedId = stored?.get(name);
      if (storedId !== id && (nameOwnerMatters(id) || nameOwnerMatters(storedId))) {
        if (differ(`names[${dbID}][${JSON.stringify(name)}]: collection ${id} in memory, ${storedId ?? 'none'} in the store`)) return found;
      }
      await pause();
    }
    if (stored !== undefined && stored.size !== ofDb.length) {
      const inMemory = new Set(ofDb.map(([name]) => name));
      for (const [name, id] of stored) if (!inMemory.has(name) && nameOwnerMatters(id) && differ(`names[${dbID}][${JSON.stringify(name)}]: none in memory, collection ${id} in the store`)) return found;
    }
  }
  for (const dbID of loadedDbs) {
    for (const [name, id] of loaded.names.get(dbID) ?? []) if (nameOwnerMatters(id) && differ(`names[${dbID}][${JSON.stringify(name)}]: none in memory, collection ${id} in the store`)) return found;
  }

  for (const [requestId, ts] of memory.requests) {
    const storedTs = loaded.requests.get(requestId);
    if (storedTs !== ts && differ(`requests[${JSON.stringify(requestId)}]: recorded at ${ts} in memory, ${storedTs === undefined ? 'not' : `at ${storedTs}`} in the store`)) return found;
    await pause();
  }
  if (fresh.requests.length !== memory.requests.length) {
    const inMemory = new Set(memory.requests.map(([requestId]) => requestId));
    for (const [requestId, ts] of fresh.requests) if (!inMemory.has(requestId) && differ(`requests[${JSON.stringify(requestId)}]: not in memory, recorded at ${ts} in the store`)) return found;
  }
  return found;
}

/** A collection as decoded (without changing the table that holds it). */
function decoded(entry: CollectionModel | PendingCollection): CollectionModel {
  return entry instanceof PendingCollection ? entry.decode() : entry;
}

/** Paths whose values are not shown (password hashes). */
const SECRET = /credential|password/i;

/**
 * The first place where `a` and `b` differ (null: equal), as a path and the two values. Compared as
 * the catalog stores them: bigints, strings, numbers and booleans by value, arrays in order, objects
 * member by member with an undefined member the same as none (JSON drops it), maps and sets key by key in
 * any order; functions are ignored.
 */
export function difference(a: unknown, b: unknown, path: string): string | null {
  if (a === b) return null;
  const unlike = (): string => (SECRET.test(path) ? `${path}: differs (not shown: a secret)` : `${path}: ${shown(a)} in memory, ${shown(b)} in the store`);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return unlike();
  if (a instanceof Set && b instanceof Set) return difference(new Map([...a].map((key) => [key, true])), new Map([...b].map((key) => [key, true])), path);
  if (Array.isArray(a) !== Array.isArray(b) || a instanceof Map !== b instanceof Map) return unlike();
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    for (const key of new Set([...a.keys(), ...other.keys()])) {
      const where = `${path}[${shown(key)}]`;
      if (!a.has(key) || !other.has(key)) return SECRET.test(path) ? `${path}: differs (not shown: a secret)` : `${where}: ${a.has(key) ? 'in memory, not in the store' : 'in the store, not in memory'}`;
      const found = difference(a.get(key), other.get(key), where);
      if (found !== null) return found;
    }
    return null;
  }
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return SECRET.test(path) ? unlike() : `${path}: ${a.length} items in memory, ${other.length} in the store`;
    for (let i = 0; i < a.length; i++) {
      const found = difference(a[i], other[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (typeof left[key] === 'function' || typeof right[key] === 'function') continue;
    const found = difference(left[key], right[key], `${path}.${key}`);
    if (found !== null) return found;
  }
  return null;
}

/** A value in a difference's text, cut short. */
function shown(value: unknown): string {
  const text = typeof value === 'bigint' ? `${value}n` : value === undefined ? 'undefined' : (JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
