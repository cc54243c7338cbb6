import { parse } from '../common/bigint-json.js';
import { CATALOG_FORMAT, fromKeyPart, keys, parseVersionKey, SNAPSHOT_PREFIX, TOMBSTONE, versionKey } from './catalog-keys.js';
import { byFieldRank, CollectionRecords } from './collection-records.js';
import type { MetaIndex } from './meta-index.js';
import type { AliasModel, CollectionModel, DatabaseModel, FieldModel } from './model.js';
import type { PendingCollection } from './collection-table.js';
import { getOrAdd } from '../common/maps.js';
import { CORRUPT_MEMBER_RECOVERY } from '../../raft/errors.js';
import type { RbacTable } from '../rbac/rbac-table.js';
import type { StoreOp, VersionedStore } from './versioned-store.js';
import { rewrittenCollection, rewrittenPartition } from './record-codec.js';

/** How loadCatalog reads the collections (by default: every one, scanned from the store at full speed). */
export interface LoadOptions {
  /** The collections gathered by a restore as it wrote them (not scanned). */
  readonly records?: CollectionRecords | undefined;
  /** Awaited after each collection indexed (a load beside serving: MetaTable.checkMemory). */
  readonly pause?: () => Promise<void>;
  /**
   * Only the collections `has` says yes to are read from the store; `others`, whichever `has` says no
   * to, are indexed as they are in their place (a memory check of one part of the catalog: memory-check.ts).
   */
  readonly part?: { readonly has: (collectionID: bigint) => boolean; readonly others: Iterable<CollectionModel | PendingCollection> } | undefined;
}

/**
 * Load the in-memory index (and RBAC's) from the catalog in `store`, upgrading an older catalog format
 * first (`options`: where the collections come from).
 */
export async function loadCatalog(store: VersionedStore, index: MetaIndex, rbac: RbacTable, options: LoadOptions = {}): Promise<void> {
  const { records, pause, part } = options;
  index.clear();
  // Until the catalog is in memory, nothing counts as applied: a read waiting for an index (and
  // /readyz) must not take a half-loaded catalog for the one at its index (a restore loads again).
  index.appliedIndex = 0;
  const format = await upgradeVersionKeys(store);
  const appliedIndex = Number((await store.getLatest(keys.appliedIndex)) ?? '0');
  index.tsoWindowMs = BigInt((await store.getLatest(keys.tsoWindow)) ?? '0');
  index.idUpTo = BigInt((await store.getLatest(keys.idWindow)) ?? '0');
  for (const [, value] of await store.entriesWithPrefix(keys.databasePrefix)) index.indexDatabase(parse<DatabaseModel>(value));
  // One pass over each kind of key (not one scan per collection): a restart reads the catalog once.
  // The request IDs are not read here: see loadRequests.
  const collections = records ?? (await CollectionRecords.scan(store, index.fields, pause, part?.has));
  // Each decoded when first read (CollectionTable): a restart reads and checks every record, makes no model.
  for (const collection of collections.pending()) {
    index.indexCollection(collection);
    if (pause !== undefined) await pause();
  }
  if (part !== undefined) {
    for (const collection of part.others) {
      if (part.has(collection.collectionID)) continue;
      index.indexCollection(collection);
      if (pause !== undefined) await pause();
    }
  }
  index.fieldLists.loaded(collections.storedLists());
  if (format < 4) await versionFieldLists(store, index, collections.unlisted);
  else if (collections.unlisted.length > 0) {
    // Every collection of format 4 names a stored list: serving it without fields would be worse than stopping.
    const [first] = collections.unlisted;
    throw new Error(`catalog: collection ${first} ${collections.unlisted.length > 1 ? `(and ${collections.unlisted.length - 1} more) ` : ''}names no field list that the catalog holds. ${CORRUPT_MEMBER_RECOVERY}`);
  }
  await deleteFieldRecords(store);
  for (const [, value] of await store.entriesWithPrefix(keys.aliasPrefix())) index.indexAlias(parse<AliasModel>(value));
  for (const [key, value] of await store.entriesWithPrefix(keys.memberPrefix)) index.members.set(Number(key.slice(keys.memberPrefix.length)), value);
  await rbac.load(store);
  if (format < CATALOG_FORMAT || (await store.getLatest(keys.recordRewrite)) !== undefined) await rewriteRecords(store);
  index.appliedIndex = appliedIndex;
}

/**
 * Read the request IDs kept for exactly-once DDL into `index` (loadCatalog leaves them out), while
 * `current()` holds (a later load or a close stops it). Nothing reads them but an apply (a command's
 * request ID, their expiry), the serving leader's scheduler (which serves only once it has applied an
 * entry of its term) and the digest, so MetaTable waits for them only there: a restart does not wait
 * for them to be ready. At 200,000 collections there are as many of them after a fill (kept for
 * `requestRetentionMs`): 0.3 to 0.45 s of the load, now beside the Raft thread's start. `batchSize`:
 * IDs per read, each batch handled at once (a memory check reads smaller ones); `has`: the request IDs
 * kept (a memory check of one part of the catalog: memory-check.ts).
 */
export async function loadRequests(store: VersionedStore, index: MetaIndex, current: () => boolean, batchSize = REQUEST_BATCH, has?: (requestId: string) => boolean): Promise<void> {
  const prefix = keys.requestPrefix;
  for await (const batch of store.scan(prefix, batchSize)) {
    // Stopped: what waits for them must not go on with part of them (an apply would decide a request
    // differently from the other replicas).
    if (!current()) throw new RequestsLoadStopped();
    for (const [key, ts] of batch) {
      if (ts === TOMBSTONE) continue;
      const requestId = fromKeyPart(key.slice(prefix.length));
      if (has === undefined || has(requestId)) index.requests.set(requestId, BigInt(ts));
    }
  }
}

/** loadRequests was stopped before it had read them all. */
export class RequestsLoadStopped extends Error {
  override name = 'RequestsLoadStopped';

  constructor() {
    super('the request IDs were not all read: another load, a close or a crash stopped their read');
  }
}

/** Request IDs per read of loadRequests (one round trip to LevelDB's thread each). */
const REQUEST_BATCH = 10_000;

/** Writes per batch of an upgrade that needs not be atomic (memory bounded whatever the catalog's size). */
const UPGRADE_BATCH = 10_000;

/** A version of one field record of a catalog before format 4. */
interface FieldVersion {
  readonly fieldID: string;
  readonly ts: bigint;
  readonly value: string;
}

/**
 * Bring a catalog of format 2 or 3 to format 4 (the collections loaded from it into `index`): from the
 * versions of its field records, every collection gets the versions of its field list, so that a read
 * at a past timestamp finds the fields it found before; a collection of format 2 (`unlisted`) names
 * its current list. The writes repeat the same values if a crash cuts them short (the upgrade runs
 * again); the format is written after them, and only then are the field records deleted
 * (deleteFieldRecords), so a catalog that says format 4 has all its lists. Every replica does the same,
 * so their catalogs stay equal.
 *
 * The lists are made as a build of format 4 would have made them: a past list keeps the order of the
 * one before it (a changed field in its place, a new one appended), the first one the order of the
 * collection's fields now, and a past version is written only where the collection's own key has one
 * (where a command wrote both). A replica that upgrades later than another (a rolling upgrade) may
 * still differ from it in versions that a format 3 GC had already thinned, until they age out.
 */
async function versionFieldLists(store: VersionedStore, index: MetaIndex, unlisted: readonly bigint[]): Promise<void> {
  const ops: StoreOp[] = [];
  const writeSome = async (): Promise<void> => {
    if (ops.length >= UPGRADE_BATCH) await store.write(ops.splice(0));
  };
  for (const id of unlisted) {
    index.fieldLists.set(id, undefined, (index.collections.get(id) as CollectionModel).fields, 0n, ops);
    await writeSome();
  }
  // When each collection's own key has versions (`.../collection-info/{db}/{id}`).
  const collectionVersions = new Map<string, Set<bigint>>();
  for await (const batch of store.scan(SNAPSHOT_PREFIX + keys.collectionPrefix())) {
    for (const [stored] of batch) {
      const version = parseVersionKey(stored);
      if (version !== null) getOrAdd(collectionVersions, version.key.slice(version.key.lastIndexOf('/') + 1), () => new Set()).add(version.ts);
    }
  }
  // The versions of one collection's field records are adjacent (`snapshots/root-coord/fields/{id}/...`).
  const fieldPrefix = keys.fieldPrefix();
  let collectionID: string | null = null;
  let versions: FieldVersion[] = [];
  const versionLists = (): void => {
    if (collectionID === null) return;
    const id = BigInt(collectionID);
    const live = index.collections.get(id);
    const place = new Map((live?.fields ?? []).map((f, i) => [f.fieldID, i]));
    // New fields: in the order the collection has them now, then the others by rank.
    const newOrder = (a: FieldModel, b: FieldModel): number => {
      const x = place.get(a.fieldID) ?? Infinity;
      const y = place.get(b.fieldID) ?? Infinity;
      return x !== y ? x - y : byFieldRank(a, b);
    };
    const written = collectionVersions.get(collectionID);
    versions.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    // The fields after each timestamp's versions: changed ones in place, new ones appended.
    const fields: FieldModel[] = [];
    let added: FieldModel[] = [];
    for (const [i, v] of versions.entries()) {
      const at = fields.findIndex((f) => String(f.fieldID) === v.fieldID);
      if (v.value === TOMBSTONE) {
        if (at >= 0) fields.splice(at, 1);
      } else if (at >= 0) fields[at] = index.fields.fromText(v.value);
      else added.push(index.fields.fromText(v.value));
      if (versions[i + 1]?.ts === v.ts) continue;
      fields.push(...added.sort(newOrder));
      added = [];
      const latest = i === versions.length - 1;
      if (!latest && written?.has(v.ts) !== true) continue;
      let value: string = TOMBSTONE;
      // The latest version of a live collection names the list it has, even an empty one.
      if (fields.length > 0 || (latest && live !== undefined)) {
        const list = latest && live !== undefined ? live.fields : index.fields.list(fields);
        value = index.fields.listKey(list);
        index.fieldLists.keep(value, list, ops);
      }
      ops.push({ type: 'put', key: versionKey(keys.collectionFieldList(id), v.ts), value });
      // The latest record as a command writes it (format 3 deleted it with its collection).
      if (latest) ops.push({ type: 'put', key: keys.collectionFieldList(id), value });
    }
  };
  for await (const batch of store.scan(SNAPSHOT_PREFIX + fieldPrefix)) {
    for (const [stored, value] of batch) {
      const version = parseVersionKey(stored);
      if (version === null) continue;
      const [id, fieldID] = version.key.slice(fieldPrefix.length).split('/') as [string, string];
      if (id !== collectionID) {
        versionLists();
        await writeSome();
        collectionID = id;
        versions = [];
      }
      versions.push({ fieldID, ts: version.ts, value });
    }
  }
  versionLists();
  // Format 5's records come after (rewriteRecords).
  ops.push({ type: 'put', key: keys.catalogFormat, value: '4' });
  await store.write(ops);
}

/**
 * Bring a catalog of format 4 (loaded, every older upgrade done) to format 5: its collection and
 * partition records, their versions included, in the form of format 5 (record-codec.ts), a batch at a
 * time. The format and a marker are written first, so that a build before format 5 refuses the catalog
 * from then on (it cannot read the new form) and a crash part way, leaving both forms, has the rewrite
 * run again at the next open; the marker goes once the rewritten ranges are compacted. A record that
 * would not come back as it is stays as it was (the loaded index is what the records give). At 200,000
 * collections it takes about 11 s (the compaction 3 s), once.
 */
async function rewriteRecords(store: VersionedStore): Promise<void> {
  await store.write([
    { type: 'put', key: keys.catalogFormat, value: String(CATALOG_FORMAT) },
    { type: 'put', key: keys.recordRewrite, value: '1' },
  ]);
  const ranges = [
    [keys.collectionPrefix(), rewrittenCollection],
    [SNAPSHOT_PREFIX + keys.collectionPrefix(), rewrittenCollection],
    [keys.partitionPrefix(), rewrittenPartition],
    [SNAPSHOT_PREFIX + keys.partitionPrefix(), rewrittenPartition],
  ] as const;
  for (const [prefix, rewritten] of ranges) {
    for await (const batch of store.scan(prefix, UPGRADE_BATCH)) {
      const ops: StoreOp[] = [];
      for (const [key, value] of batch) {
        const record = rewritten(value);
        if (record !== null) ops.push({ type: 'put', key, value: record });
      }
      if (ops.length > 0) await store.write(ops);
    }
    // Until LevelDB compacts them, the old values are read past by every scan (a load at 200,000
    // collections took 5.5 s instead of 3.5 s).
    await store.compact(prefix);
  }
  await store.write([{ type: 'del', key: keys.recordRewrite }]);
}

/**
 * Delete the field records (and their versions) of a catalog before format 4, a batch at a time, once
 * it has its lists; then compact their range, so that no later scan walks past LevelDB's two million
 * delete markers (at 200,000 collections).
 */
async function deleteFieldRecords(store: VersionedStore): Promise<void> {
  for (const prefix of [keys.fieldPrefix(), SNAPSHOT_PREFIX + keys.fieldPrefix()]) {
    let deleted = false;
    for await (const batch of store.scan(prefix, UPGRADE_BATCH)) {
      await store.write(batch.map(([key]) => ({ type: 'del', key })));
      deleted = true;
    }
    if (deleted) await store.compact(prefix);
  }
}

/**
 * Bring a catalog of format 1 to format 2 in one atomic batch (its version keys rewritten), or refuse
 * a newer one than this build's; the format it is in after (formats 3 and 4 come with the field
 * lists, once the collections are loaded). Every replica does the same, so their catalogs stay equal.
 */
async function upgradeVersionKeys(store: VersionedStore): Promise<number> {
  const format = (await store.getLatest(keys.catalogFormat)) ?? '1';
  if (['2', '3', '4', String(CATALOG_FORMAT)].includes(format)) return Number(format);
  if (format !== '1') throw new Error(`catalog format ${format} is not readable by this build (it reads format ${CATALOG_FORMAT} and upgrades formats 1 to 4); run a build that knows it`);
  const ops: StoreOp[] = [];
  for (const [old, value] of await store.entriesWithPrefix(SNAPSHOT_PREFIX, true)) {
    const version = parseVersionKey(old, 1);
    if (version === null) continue;
    ops.push({ type: 'del', key: old }, { type: 'put', key: versionKey(version.key, version.ts), value });
  }
  ops.push({ type: 'put', key: keys.catalogFormat, value: '2' });
  await store.write(ops);
  return 2;
}
