import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { sortedByKey } from '../common/maps.js';
import { slicer } from '../common/slices.js';
import { isReplicaLocal } from './catalog-keys.js';
import type { CatalogWriter } from './catalog-writer.js';
import type { MetaIndex } from './meta-index.js';
import type { RbacTable } from '../rbac/rbac-table.js';
import type { VersionedStore } from './versioned-store.js';

/** How long the digest works before it lets the event loop run (ms). */
const SLICE_MS = 5;

/**
 * A digest of what a replica serves (its in-memory state, RBAC included) and of what its LevelDB
 * holds, equal on every replica that applied the same entries, with the applied index it belongs to:
 * memory, the applied index and a LevelDB snapshot are captured together once no write is buffered or
 * in flight, so entries applied while the store is read are in neither (a digest read beside the apply
 * chain could mix them). A replica whose memory and disk disagree (so that it would serve something
 * else after a restart) digests differently.
 *
 * The caller holds back applies until `memoryRead` (MetaTable.digestAtIndex): memory is hashed a
 * piece at a time, SLICE_MS at a time between other events, never as one text, and the collections
 * and request IDs (200,000 each at 200,000 collections) in any order, never sorted. At 200,000
 * collections the whole state as one canonical JSON text held the request thread for 24 s and took
 * 1.2 GB more memory (session 34).
 */
export async function digestAtIndex(index: MetaIndex, rbac: RbacTable, store: VersionedStore, writer: CatalogWriter, now: () => number, memoryRead: () => void): Promise<{ digest: string; appliedIndex: number }> {
  const hash = createHash('sha256');
  const { appliedIndex, batches } = await captureStore(index, store, writer);
  hash.update('memory\0');
  const pause = slicer(now, SLICE_MS);
  for (const [name, value] of servedState(index, rbac)) {
    hash.update(name).update('\0');
    if (!(value instanceof EntrySet)) {
      hash.update(canonicalJson(value) ?? 'null').update('\0');
      continue;
    }
    // The entries of a big map in any order: the XOR of each one's hash (keys are distinct), so that
    // neither a sorted copy nor one text of them is made.
    const combined = Buffer.alloc(32);
    let count = 0;
    for (const entry of value.entries) {
      const one = createHash('sha256')
        .update(canonicalJson(entry) ?? 'null')
        .digest();
      for (let i = 0; i < 32; i++) combined[i] = (combined[i] as number) ^ (one[i] as number);
      count++;
      await pause();
    }
    hash.update(`${count}\0`).update(combined);
  }
  // The store is read from the LevelDB snapshot its iterator took above: applies may go on.
  memoryRead();
  await hashStore(hash, batches);
  return { digest: hash.digest('hex'), appliedIndex };
}

/**
 * A digest of what this replica's LevelDB holds (its own keys left out), with the applied index it
 * belongs to: a replica check's (replica-checks.ts), equal on every replica at the same index. Only the
 * capture needs applies held (a flush of the write-behind, then a LevelDB snapshot): `captured` is
 * called then. The store is read after, once `turn` has resolved (one mark's read at a time), unless
 * `wanted()` says by then that no one will look at it (null). Memory is not hashed: at 200,000
 * collections, hashing it held applies for 16 s on every replica at once (session 36); what a replica
 * applied differently, or what a damaged disk gives it, is in its store.
 */
export async function storeDigestAtIndex(index: MetaIndex, store: VersionedStore, writer: CatalogWriter, captured: () => void, turn: Promise<unknown>, wanted: () => boolean): Promise<{ digest: string; appliedIndex: number } | null> {
  const { appliedIndex, batches } = await captureStore(index, store, writer);
  captured();
  await turn;
  if (!wanted()) {
    // The iterator closes once its reading has begun and stops.
    for await (const _ of batches) break;
    return null;
  }
  const hash = createHash('sha256');
  await hashStore(hash, batches);
  return { digest: hash.digest('hex'), appliedIndex };
}

/** Once no write is buffered or in flight: the applied index, and the store's batches from a LevelDB snapshot taken then. */
function captureStore(index: MetaIndex, store: VersionedStore, writer: CatalogWriter): Promise<{ appliedIndex: number; batches: AsyncIterable<Array<[string, string]>> }> {
  return writer.atRest(() => ({ appliedIndex: index.appliedIndex, batches: store.scan() }));
}

/** The store's part of a digest, from its LevelDB snapshot's batches (replica-local keys left out). */
async function hashStore(hash: Hash, batches: AsyncIterable<ReadonlyArray<readonly [string, string]>>): Promise<void> {
  hash.update('store\0');
  for await (const batch of batches) {
    for (const [key, value] of batch) if (!isReplicaLocal(key)) hash.update(key).update('\0').update(value).update('\0');
  }
}

/** A big map's entries, digested in any order. */
class EntrySet {
  constructor(readonly entries: Iterable<[unknown, unknown]>) {}
}

/** The in-memory state that reads are served from, in a canonical order (the big parts as sets of entries). */
function servedState(index: MetaIndex, rbac: RbacTable): Array<[string, unknown]> {
  return [
    ['tsoWindowMs', index.tsoWindowMs],
    ['idUpTo', index.idUpTo],
    ['databases', sortedByKey(index.databases)],
    ['collections', new EntrySet(index.collections)],
    ['aliases', sortedByKey(index.aliasesByDb).filter(([, aliases]) => aliases.size > 0).map(([dbID, aliases]) => [dbID, sortedByKey(aliases)])],
    ['requests', new EntrySet(index.requests)],
    ['members', sortedByKey(index.members)],
    ['rbac', rbac.servedState()],
  ];
}

/**
 * JSON with object keys sorted at every level and bigints as `"<digits>n"`: equal values, equal text,
 * whatever the key order. As JSON.stringify: `toJSON` is called, an object's undefined (and function)
 * members are left out and an array's are null, and a Map or a Set is `{}`.
 */
function canonicalJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value}n"`;
    case 'object': {
      if (value === null) return 'null';
      const json = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof json === 'function') return canonicalJson(json.call(value));
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item) ?? 'null').join(',')}]`;
      const parts: string[] = [];
      for (const key of Object.keys(value).sort()) {
        const text = canonicalJson((value as Record<string, unknown>)[key]);
        if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}
