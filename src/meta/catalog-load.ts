import { parse } from '../common/bigint-json.js';
import { CATALOG_FORMAT, fromKeyPart, keys, parseVersionKey, SNAPSHOT_PREFIX, versionKey } from './catalog-keys.js';
import { CollectionRecords } from './collection-records.js';
import type { MetaIndex } from './meta-index.js';
import type { AliasModel, CollectionModel, DatabaseModel } from './model.js';
import type { RbacTable } from '../rbac/rbac-table.js';
import type { StoreOp, VersionedStore } from './versioned-store.js';

/**
 * Load the in-memory index (and RBAC's) from the catalog in `store`, upgrading an older catalog format
 * first; the collections from `records` if given (a restore gathers them as it writes them).
 */
export async function loadCatalog(store: VersionedStore, index: MetaIndex, rbac: RbacTable, records?: CollectionRecords): Promise<void> {
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
  // The request IDs are read while the collections are (one is on LevelDB's threads while this thread parses the other).
  const [collections] = await Promise.all([
    records ?? CollectionRecords.scan(store, index.fields),
    store.forEachLive(keys.requestPrefix, (key, ts) => index.requests.set(fromKeyPart(key.slice(keys.requestPrefix.length)), BigInt(ts))),
  ]);
  for (const collection of collections.collections()) index.indexCollection(collection);
  index.fieldLists.loaded(collections.listHolders);
  // Format 2 (or a collection whose list is missing): every collection names its field list from now
  // on, written with the format in one batch. Every replica does the same, so their catalogs stay equal.
  if (format < CATALOG_FORMAT || collections.unlisted.length > 0) {
    const ops: StoreOp[] = [];
    for (const id of collections.unlisted) index.fieldLists.set(id, undefined, (index.collections.get(id) as CollectionModel).fields, ops);
    ops.push({ type: 'put', key: keys.catalogFormat, value: String(CATALOG_FORMAT) });
    await store.write(ops);
  }
  for (const [, value] of await store.entriesWithPrefix(keys.aliasPrefix())) index.indexAlias(parse<AliasModel>(value));
  for (const [key, value] of await store.entriesWithPrefix(keys.memberPrefix)) index.members.set(Number(key.slice(keys.memberPrefix.length)), value);
  await rbac.load(store);
  index.appliedIndex = appliedIndex;
}

/**
 * Bring a catalog of format 1 to format 2 in one atomic batch (its version keys rewritten), or refuse
 * a newer one than this build's; the format it is in after (format 3 comes with the field lists, once
 * the collections are loaded). Every replica does the same, so their catalogs stay equal.
 */
async function upgradeVersionKeys(store: VersionedStore): Promise<number> {
  const format = (await store.getLatest(keys.catalogFormat)) ?? '1';
  if (format === String(CATALOG_FORMAT) || format === '2') return Number(format);
  if (format !== '1') throw new Error(`catalog format ${format} is not readable by this build (it reads format ${CATALOG_FORMAT} and upgrades formats 1 and 2); run a build that knows it`);
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
