import { parse } from '../common/bigint-json.js';
import { keys, parseVersionKey, SNAPSHOT_PREFIX, TOMBSTONE } from './catalog-keys.js';
import type { CatalogWriter } from './catalog-writer.js';
import { CHILD_KINDS } from './collection-children.js';
import { CollectionRecords } from './collection-records.js';
import type { FieldInterner } from './field-interner.js';
import type { AliasModel, CollectionModel } from './model.js';
import type { StoreOp, VersionedStore } from './versioned-store.js';

/**
 * The catalog's history: every key keeps its versions (`snapshots/{key}\0{ts}`) and tombstones, so the
 * catalog can be read as of a past timestamp (time travel), until a catalog GC removes old versions and
 * long-deleted keys. Both read the store, so they read it once the catalog writer has written
 * everything applied.
 */
export class CatalogHistory {
  constructor(
    private readonly store: VersionedStore,
    private readonly writer: CatalogWriter,
    private readonly fields: FieldInterner,
  ) {}

  /**
   * The deletions a catalog GC at these bounds makes (spec 3.4): old versions, long-deleted keys. The
   * versions of one key are adjacent in LevelDB (`snapshots/{key}\0{ts}`, NUL in no key, the timestamp
   * zero-padded), so they are read in batches and judged a key at a time: a catalog of any size costs
   * memory for its deletions only, not for every version (a million at 200,000 collections). The GC
   * is an entry of the log: the caller has the writer flush the entries before it first.
   *
   * Also the field lists that a record still names after these deletions (`namedLists`): the caller
   * deletes the others (FieldLists.sweep).
   */
  async garbage(versionsBeforeTs: bigint, tombstonesBeforeTs: bigint): Promise<{ ops: StoreOp[]; namedLists: Set<string> }> {
    const ops: StoreOp[] = [];
    const namedLists = new Set<string>();
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
      const namesList = key.startsWith(keys.collectionFieldListPrefix);
      // A version goes once a later one is in effect at the bound: a read at or after the bound never
      // needs it. (Milvus deletes every version before the bound but the latest, the one in effect at
      // the bound included, so a read inside the window could miss a key that changed only before it:
      // here a collection's field list, which changes less often than the collection's own key.)
      for (const [i, v] of versions.entries()) {
        const next = versions[i + 1];
        if (next !== undefined && next.ts <= versionsBeforeTs) ops.push({ type: 'del', key: v.versionKey });
        else if (namesList && v.value !== TOMBSTONE) namedLists.add(v.value);
      }
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
    // The latest records too (one a catalog before format 4 left unversioned names a list).
    await this.store.forEachLive(keys.collectionFieldListPrefix, (_key, listKey) => namedLists.add(listKey));
    return { ops, namedLists };
  }

  // ---- reads at a past timestamp ----

  /** The collections of a db as of `ts` (all states), read from the versioned catalog. */
  async collectionsAt(dbID: bigint, ts: bigint): Promise<CollectionModel[]> {
    await this.writer.flushed();
    const records = new CollectionRecords(this.fields);
    const addAt = async (key: string): Promise<string | undefined> => {
      const value = await this.store.getAt(key, ts);
      if (value !== undefined) records.add(key, value);
      return value;
    };
    const lists = new Set<string>();
    const prefix = keys.collectionPrefix(dbID);
    for (const key of await this.store.keysWithPrefix(prefix)) {
      if ((await addAt(key)) === undefined) continue;
      const collectionID = BigInt(key.slice(prefix.length));
      // The field list the collection named then (kept while a version names it: FieldLists).
      const listKey = await addAt(keys.collectionFieldList(collectionID));
      if (listKey !== undefined && !lists.has(listKey)) {
        lists.add(listKey);
        const list = await this.store.getLatest(keys.fieldList(listKey));
        if (list !== undefined) records.add(keys.fieldList(listKey), list);
      }
      for (const childPrefix of [...CHILD_KINDS.map((c) => c.prefix(collectionID)), keys.partitionPrefix(collectionID)]) {
        for (const child of await this.store.keysWithPrefix(childPrefix)) await addAt(child);
      }
    }
    return [...records.collections()].sort((a, b) => (a.createTs < b.createTs ? -1 : a.createTs > b.createTs ? 1 : 0));
  }

  async aliasesAt(dbID: bigint, ts: bigint): Promise<AliasModel[]> {
    await this.writer.flushed();
    const out: AliasModel[] = [];
    for (const key of await this.store.keysWithPrefix(keys.aliasPrefix(dbID))) {
      const value = await this.store.getAt(key, ts);
      if (value !== undefined) out.push(parse<AliasModel>(value));
    }
    return out;
  }
}
