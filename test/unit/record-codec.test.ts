import { expect } from 'chai';
import { stringify } from '../../src/common/bigint-json.js';
import { CATALOG_FORMAT, keys, SNAPSHOT_PREFIX, TOMBSTONE } from '../../src/meta/catalog-keys.js';
import type { StoredCollection } from '../../src/meta/collection-records.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DataType, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, PartitionModel } from '../../src/meta/model.js';
import { decodeCollection, decodePartition, encodeCollection, encodePartition } from '../../src/meta/record-codec.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';
import { asObjectRecord, memoryLevel } from './fixtures/memory-catalog.js';

const stored: StoredCollection = {
  collectionID: 470840858022248455n,
  dbID: 470840858022240001n,
  name: 'c_ünï "quoted" \\ /',
  description: 'line\nbreak ✓ 🚀',
  autoID: true,
  shardsNum: 3,
  consistencyLevel: ConsistencyLevel.Strong,
  properties: [{ key: 'collection.ttl.seconds', value: '60' }, { key: 'mmap.enabled', value: 'true' }],
  enableDynamicField: true,
  virtualChannelNames: ['by-dev-rootcoord-dml_0_470840858022248455v0', 'by-dev-rootcoord-dml_1_470840858022248455v1', 'by-dev-rootcoord-dml_2_470840858022248455v2'],
  physicalChannelNames: ['by-dev-rootcoord-dml_0', 'by-dev-rootcoord-dml_1', 'by-dev-rootcoord-dml_2'],
  createTs: 470840858116096001n,
  state: CollectionState.Dropping,
  updateTs: 470840858116096999n,
  numPartitionsHint: 64n,
};
const partition: PartitionModel = { partitionID: 470840858022248456n, partitionName: 'p ✓', createdTs: 470840858116096001n, collectionID: 470840858022248455n, state: PartitionState.Dropping };

/** Every collection and partition record (latest ones and versions) of a store, by key. */
async function records(store: VersionedStore): Promise<Array<[string, string]>> {
  const all = await store.entriesWithPrefix('', true);
  const kinds = [keys.collectionPrefix(), keys.partitionPrefix()];
  return all.filter(([key]) => kinds.some((k) => key.startsWith(k) || key.startsWith(SNAPSHOT_PREFIX + k)));
}

describe('collection and partition records (catalog format 5)', () => {
  it('decode what they encode, every member, and encode one record whatever the order of the members', () => {
    expect(decodeCollection(encodeCollection(stored))).to.deep.equal(stored);
    expect(decodePartition(encodePartition(partition))).to.deep.equal(partition);
    const reordered = Object.fromEntries(Object.entries(stored).reverse()) as unknown as StoredCollection;
    const properties = stored.properties.map(({ key, value }) => ({ value, key }));
    expect(encodeCollection({ ...reordered, properties })).to.equal(encodeCollection(stored));
    // The same timestamp twice and a partition count of 0 (a new collection's): still every member.
    const fresh = { ...stored, updateTs: stored.createTs, numPartitionsHint: 0n, dbID: DEFAULT_DB_ID };
    expect(decodeCollection(encodeCollection(fresh))).to.deep.equal(fresh);
    // Less than half the bytes of the form before.
    expect(encodeCollection(stored).length).to.be.below(stringify(stored).length * 0.7);
  });

  it('read the records of a catalog before format 5 (objects in bigint-JSON)', () => {
    expect(decodeCollection(stringify(stored))).to.deep.equal(stored);
    expect(decodePartition(stringify(partition))).to.deep.equal(partition);
  });

  it('a catalog of format 4 is rewritten when opened, all at once or after a crash part way: the same catalog as one written by this build', async () => {
    const meta = await MetaTable.over(VersionedStore.over(memoryLevel()));
    const collection = (id: bigint, ts: bigint): CollectionModel => ({
      ...stored,
      collectionID: id,
      dbID: DEFAULT_DB_ID,
      name: `c${id}`,
      state: CollectionState.Created,
      createTs: ts,
      updateTs: ts,
      fields: [{ fieldID: 100n, name: 'id', is_primary_key: true, description: '', data_type: DataType.Int64, type_params: [], index_params: [], autoID: false, element_type: DataType.None, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false }],
      partitions: [{ ...partition, partitionID: id + 1n, collectionID: id, createdTs: ts, state: PartitionState.Created }],
    });
    let index = 0;
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], ++index);
    for (const id of [10n, 20n, 30n]) await meta.apply([{ kind: 'putCollection', ts: 10n, collection: collection(id, 10n) }], ++index);
    // Versions: a rename at 20, a second partition at 25, a collection dropped at 30 (tombstones).
    await meta.apply([{ kind: 'putCollection', ts: 20n, collection: { ...(meta.collections.get(10n) as CollectionModel), name: 'renamed', updateTs: 20n } }], ++index);
    await meta.apply([{ kind: 'putPartition', ts: 25n, collectionID: 10n, partition: { ...partition, partitionID: 12n, collectionID: 10n, createdTs: 25n, state: PartitionState.Created } }], ++index);
    await meta.apply([{ kind: 'deleteCollection', ts: 30n, collectionID: 30n }], ++index);
    await meta.persist();
    const digest = await meta.digest();
    const written = await records(meta.store);
    expect(written.filter(([, v]) => v !== TOMBSTONE).every(([, v]) => v.startsWith('['))).to.equal(true);
    const names = async (m: MetaTable, ts: bigint): Promise<unknown> => (await m.collectionsAt(DEFAULT_DB_ID, ts)).map((c) => [c.name, c.partitions.map((p) => p.partitionID)]);

    for (const share of [1, 0.5]) {
      // As a build of format 4 wrote it (or part of it rewritten when a crash cut the rewrite short).
      const db = memoryLevel();
      const entries = await meta.store.entriesWithPrefix('', true);
      let converted = 0;
      await db.batch(
        entries.map(([key, value]) => {
          if (key === keys.catalogFormat) return { type: 'put', key, value: '4' };
          const old = asObjectRecord(key, value);
          if (old !== value && converted++ % Math.round(1 / share) !== 0) return { type: 'put', key, value };
          return { type: 'put', key, value: old };
        }),
      );
      expect((await records(VersionedStore.over(db))).filter(([, v]) => v.startsWith('{')).length).to.be.above(written.length * share * 0.4);
      const upgraded = await MetaTable.over(VersionedStore.over(db));
      expect(await upgraded.store.getLatest(keys.catalogFormat)).to.equal(String(CATALOG_FORMAT));
      expect(await records(upgraded.store)).to.deep.equal(written);
      expect(await upgraded.digest(), `share ${share}`).to.equal(digest);
      for (const ts of [15n, 22n, 27n, 35n]) expect(await names(upgraded, ts), `at ${ts}`).to.deep.equal(await names(meta, ts));
    }
  });
});
