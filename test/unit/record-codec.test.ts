import { expect } from 'chai';
import { stringify } from '../../src/common/bigint-json.js';
import { CATALOG_FORMAT, keys, SNAPSHOT_PREFIX, TOMBSTONE } from '../../src/meta/catalog-keys.js';
import type { StoredCollection } from '../../src/meta/collection-records.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DataType, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, PartitionModel } from '../../src/meta/model.js';
import { collectionSummary, decodeCollection, decodePartition, encodeCollection, encodePartition, partitionStateOf } from '../../src/meta/record-codec.js';
import { Prng } from '../../raft/prng.js';
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

    const asFormat4 = async (): Promise<VersionedStore> => {
      const db = memoryLevel();
      const entries = await meta.store.entriesWithPrefix('', true);
      await db.batch(entries.map(([key, value]) => ({ type: 'put', key, value: key === keys.catalogFormat ? '4' : asObjectRecord(key, value) })));
      return VersionedStore.over(db);
    };
    const expectUpgraded = async (upgraded: MetaTable, label: string): Promise<void> => {
      expect(await upgraded.store.getLatest(keys.catalogFormat)).to.equal(String(CATALOG_FORMAT));
      expect(await upgraded.store.getLatest(keys.recordRewrite)).to.equal(undefined);
      expect(await records(upgraded.store)).to.deep.equal(written);
      expect(await upgraded.digest(), label).to.equal(digest);
      for (const ts of [15n, 22n, 27n, 35n]) expect(await names(upgraded, ts), `${label} at ${ts}`).to.deep.equal(await names(meta, ts));
    };

    // As a build of format 4 wrote it.
    const store = await asFormat4();
    expect((await records(store)).filter(([, v]) => v.startsWith('{'))).to.have.length(written.filter(([, v]) => v !== TOMBSTONE).length);
    await expectUpgraded(await MetaTable.over(store), 'whole');

    // A crash part way (here: the first compaction fails): the catalog says format 5 at once, so a
    // build before it refuses it, and the next open finishes the rewrite.
    const crashed = await asFormat4();
    const compact = crashed.compact.bind(crashed);
    crashed.compact = () => Promise.reject(new Error('crash'));
    let failure: unknown = null;
    await MetaTable.over(crashed).catch((error: unknown) => (failure = error));
    expect(String(failure)).to.contain('crash');
    expect(await crashed.getLatest(keys.catalogFormat)).to.equal(String(CATALOG_FORMAT));
    expect(await crashed.getLatest(keys.recordRewrite)).to.equal('1');
    crashed.compact = compact;
    await expectUpgraded(await MetaTable.over(crashed), 'after a crash');
  });

  it('a record of format 4 that would not come back as it is stays as it was, read as before', async () => {
    const meta = await MetaTable.over(VersionedStore.over(memoryLevel()));
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], 1);
    await meta.persist();
    const db = memoryLevel();
    const odd = { ...stored, dbID: DEFAULT_DB_ID, extra: 'kept' };
    const key = keys.collection(DEFAULT_DB_ID, stored.collectionID);
    const oddPartition = { ...partition, state: 'none' };
    const partitionKey = keys.partition(stored.collectionID, partition.partitionID);
    await db.batch([
      ...(await meta.store.entriesWithPrefix('', true)).map(([k, value]) => ({ type: 'put' as const, key: k, value: k === keys.catalogFormat ? '4' : value })),
      { type: 'put', key, value: stringify(odd) },
      { type: 'put', key: partitionKey, value: stringify(oddPartition) },
      { type: 'put', key: keys.collectionFieldList(stored.collectionID), value: 'none' },
    ]);
    const before = await db.get(key);
    const upgraded = await MetaTable.over(VersionedStore.over(db)).catch((error: unknown) => error);
    // It names no stored field list (a corrupt catalog, refused), but its records were not rewritten.
    expect(String(upgraded)).to.contain('names no field list');
    expect(await db.get(key)).to.equal(before);
    expect(await db.get(partitionKey)).to.equal(stringify(oddPartition));
  });

  it('the applier refuses a collection or partition whose members would not come back as they are, and keeps in memory what a reload gives', async () => {
    const db = memoryLevel();
    const meta = await MetaTable.over(VersionedStore.over(db));
    let index = 0;
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], ++index);
    const good: CollectionModel = { ...stored, dbID: DEFAULT_DB_ID, state: CollectionState.Created, fields: [], partitions: [{ ...partition, state: PartitionState.Created }] };
    const bad: Array<[string, unknown]> = [
      ['numPartitionsHint', { ...good, numPartitionsHint: 5 }],
      ['description', { ...good, description: undefined }],
      ['properties', { ...good, properties: [{ key: 'a', value: 'b', extra: 1 }] }],
      ['shardsNum', { ...good, shardsNum: 1.5 }],
      ['physicalChannelNames', { ...good, physicalChannelNames: [1] }],
      ['collectionID', { ...good, partitions: [{ ...partition, collectionID: undefined }] }],
    ];
    for (const [member, collection] of bad) {
      const [result] = await meta.apply([{ kind: 'putCollection', ts: 10n, collection: collection as CollectionModel }], ++index);
      expect(result?.ok, member).to.equal(false);
      expect(result && !result.ok ? result.reason : '', member).to.contain(member);
    }
    const [badPartition] = await meta.apply([{ kind: 'putPartition', ts: 11n, collectionID: good.collectionID, partition: { ...partition, createdTs: 1 as unknown as bigint } }], ++index);
    expect(badPartition?.ok).to.equal(false);
    expect(meta.collections.size).to.equal(0);
    // A collection with members the model does not have: memory keeps what its record gives back.
    const [put] = await meta.apply([{ kind: 'putCollection', ts: 12n, collection: { ...good, functions: [], extra: 'dropped' } as CollectionModel }], ++index);
    expect(put).to.deep.equal({ ok: true });
    await meta.apply([{ kind: 'putPartition', ts: 13n, collectionID: good.collectionID, partition: { ...partition, partitionID: 5n, partitionName: 'second', createdTs: partition.createdTs + 1n, extra: 1 } as PartitionModel }], ++index);
    await meta.persist();
    const digest = await meta.digest();
    expect(meta.collections.get(good.collectionID)).to.not.have.property('extra');
    expect(meta.collections.get(good.collectionID)).to.not.have.property('functions');
    expect(meta.collections.get(good.collectionID)?.partitions[1]).to.not.have.property('extra');
    expect(await (await MetaTable.over(VersionedStore.over(db))).digest()).to.equal(digest);
  });

  /** A catalog with the default database and one Created collection with one partition, and all its entries. */
  async function catalogWithOneCollection(): Promise<{ db: ReturnType<typeof memoryLevel>; meta: MetaTable; good: CollectionModel; entries: Array<[string, string]> }> {
    const db = memoryLevel();
    const meta = await MetaTable.over(VersionedStore.over(db));
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], 1);
    const good: CollectionModel = { ...stored, dbID: DEFAULT_DB_ID, state: CollectionState.Created, fields: [], partitions: [{ ...partition, state: PartitionState.Created }] };
    await meta.apply([{ kind: 'putCollection', ts: 10n, collection: good }], 2);
    await meta.persist();
    return { db, meta, good, entries: await meta.store.entriesWithPrefix('', true) };
  }

  it('a partition record is read without a parse only where the parse and its checks give the same state (mutated records)', () => {
    // partitionStateOf matches the form encodePartition writes; anything else is parsed and checked
    // (decodePartition). Both must refuse the same records and give the same state for the others.
    const random = new Prng(57);
    const units = ['a', ' ', '"', '\\', '/', ',', '[', ']', '{', '-', '0', '1', '9', 'u', 'n', 'b', 'e', 'F', '\n', '\u0000', '\u001f', '\u007f', 'é', '\ud800', '\udc00', '\u2028'];
    const name = (): string => Array.from({ length: random.intBelow(10) }, () => units[random.intBelow(units.length)]).join('');
    const id = (): bigint => [0n, 7n, 470840858022248456n, 18446744073709551615n][random.intBelow(4)] as bigint;
    const outcome = (read: () => number): string => {
      try {
        return `state ${Object.is(read(), -0) ? '-0' : read()}`;
      } catch {
        return 'refused';
      }
    };
    const seen = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const state = [0, 1, 2, 3, -1, 2 ** 53, 1e15 - 1][random.intBelow(7)] as number;
      let text = encodePartition({ partitionID: id(), partitionName: name(), createdTs: id(), collectionID: id(), state });
      // Some left as written; others with characters replaced, inserted or removed, or escapes and numbers rewritten.
      for (let edits = random.intBelow(4); edits > 0; edits--) {
        const at = random.intBelow(text.length + 1);
        const unit = ['"', '\\', ',', '-', '-0', '0', '5', ' ', 'u', '\\u00e9', '\\ud800', '\\x', '.5', 'e3', '\n', '\t', '\u0000', '\u001f', ']', '['][random.intBelow(20)] as string;
        const edit = random.intBelow(3);
        text = edit === 0 ? text.slice(0, at) + unit + text.slice(at) : edit === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + unit + text.slice(at + 1);
      }
      const fast = outcome(() => partitionStateOf(text));
      const parsed = outcome(() => decodePartition(text).state);
      expect(fast, text).to.equal(parsed);
      seen.set(parsed === 'refused' ? parsed : 'read', (seen.get(parsed === 'refused' ? parsed : 'read') ?? 0) + 1);
    }
    // Both kinds, many of each.
    expect(seen.get('read')).to.be.above(5_000);
    expect(seen.get('refused')).to.be.above(5_000);
    // A record longer than the expression is given (its name 8,400,000 characters: the expression
    // alone runs out of stack) is parsed and checked.
    const long = encodePartition({ ...partition, partitionName: 'a'.repeat(8_400_000) });
    expect(partitionStateOf(long)).to.equal(partition.state);
  }).timeout(30_000);

  it("a collection record's summary is read without a parse only where the parse and its checks give the same values (mutated records)", () => {
    // collectionSummary matches the form encodeCollection writes; anything else is parsed and checked
    // (as decodeCollection does). Both must refuse the same records and read the same values from the others.
    const random = new Prng(58);
    const units = ['a', ' ', '"', '\\', '/', ',', '","', '[', ']', '{', '}', ':', '-', '0', '9', 'u', 'n', '\n', '\u0000', '\u001f', 'é', '\ud800', '\u2028'];
    const text = (): string => Array.from({ length: random.intBelow(random.intBelow(8) === 0 ? 40 : 6) }, () => units[random.intBelow(units.length)]).join('');
    const texts = (): string[] => Array.from({ length: random.intBelow(4) }, text);
    // A few channel lists that repeat (they are shared by their text), and new ones.
    const lists = [[], ['by-dev-rootcoord-dml_0', 'by-dev-rootcoord-dml_1'], ['a,b', 'c\\"d'], ['', 'x']];
    const id = (): bigint => [0n, 7n, 470840858022248456n, 18446744073709551615n][random.intBelow(4)] as bigint;
    const integer = (): number => [0, 1, 2, -1, 2 ** 53, 1e15 - 1][random.intBelow(6)] as number;
    const outcome = (read: () => unknown): string => {
      try {
        return JSON.stringify(read(), (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : v));
      } catch {
        return 'refused';
      }
    };
    const seen = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const collection: StoredCollection = {
        ...stored,
        collectionID: id(),
        dbID: id(),
        name: text(),
        description: text(),
        autoID: random.intBelow(2) === 0,
        shardsNum: integer(),
        consistencyLevel: integer(),
        properties: Array.from({ length: random.intBelow(3) }, () => ({ key: text(), value: text() })),
        virtualChannelNames: texts(),
        physicalChannelNames: random.intBelow(2) === 0 ? (lists[random.intBelow(lists.length)] as string[]) : texts(),
        createTs: id(),
        state: integer(),
        updateTs: id(),
        numPartitionsHint: id(),
      };
      let record = encodeCollection(collection);
      for (let edits = random.intBelow(4); edits > 0; edits--) {
        const at = 1 + random.intBelow(record.length);
        const unit = ['"', '\\', ',', '-', '-0', '0', '5', ' ', 'u', '\\u00e9', '\\ud800', '\\x', '.5', 'e3', '\n', '\t', '\u0000', '\u001f', ']', '[', '{', '}', 'true', 'null', '"key"', '"value"', '","'][random.intBelow(27)] as string;
        const edit = random.intBelow(3);
        record = edit === 0 ? record.slice(0, at) + unit + record.slice(at) : edit === 1 ? record.slice(0, at) + record.slice(at + 1) : record.slice(0, at) + unit + record.slice(at + 1);
      }
      const fast = outcome(() => collectionSummary(record));
      const parsed = outcome(() => {
        const c = decodeCollection(record);
        return { collectionID: c.collectionID, dbID: c.dbID, name: c.name, shardsNum: c.shardsNum, physicalChannelNames: c.physicalChannelNames, state: c.state };
      });
      expect(fast, record).to.equal(parsed);
      const kind = parsed === 'refused' ? parsed : 'read';
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    expect(seen.get('read')).to.be.above(3_000);
    expect(seen.get('refused')).to.be.above(3_000);
    // A record longer than the expression is given is parsed and checked.
    const long = encodeCollection({ ...stored, description: 'a'.repeat(8_400_000) });
    expect(collectionSummary(long)?.name).to.equal(stored.name);
  }).timeout(30_000);

  it('a collection or partition record that is not its values, each of its kind, is refused at load, naming its key and the value', async () => {
    const { db, meta, good, entries } = await catalogWithOneCollection();
    const collectionKey = keys.collection(DEFAULT_DB_ID, good.collectionID);
    const partitionKey = keys.partition(good.collectionID, partition.partitionID);
    const collectionValues = JSON.parse(encodeCollection(good)) as unknown[];
    const partitionValues = JSON.parse(encodePartition({ ...partition, state: PartitionState.Created })) as unknown[];
    const withValue = (values: unknown[], i: number, value: unknown): string => JSON.stringify(values.map((v, j) => (j === i ? value : v)));
    const cases: Array<[string, string, string]> = [
      [collectionKey, withValue(collectionValues, 5, '2'), 'value 5 (shardsNum) is not an integer'],
      [collectionKey, withValue(collectionValues, 0, '0x10'), 'value 0 (collectionID) is not an integer in decimal'],
      [collectionKey, withValue(collectionValues, 13, 7), 'value 13 (updateTs)'],
      [collectionKey, withValue(collectionValues, 1, '01'), 'value 1 (dbID)'],
      [collectionKey, withValue(collectionValues, 14, '-0'), 'value 14 (numPartitionsHint)'],
      [collectionKey, withValue(collectionValues, 7, [{ key: 'a' }]), 'value 7 (properties)'],
      [collectionKey, withValue(collectionValues, 10, 'by-dev'), 'value 10 (physicalChannelNames)'],
      [collectionKey, JSON.stringify(collectionValues.slice(1)), 'not an array of 15 values'],
      [collectionKey, '[1,', 'JSON'],
      [partitionKey, withValue(partitionValues, 4, 'created'), 'value 4 (state) is not an integer'],
      [partitionKey, withValue(partitionValues, 2, ''), 'value 2 (createdTs)'],
    ];
    for (const [key, value, reason] of cases) {
      const copy = memoryLevel();
      await copy.batch(entries.map(([k, v]) => ({ type: 'put' as const, key: k, value: k === key ? value : v })));
      const error = await MetaTable.over(VersionedStore.over(copy)).then(() => null, (e: unknown) => e);
      expect(error, value).to.be.instanceOf(Error);
      expect(String(error), value).to.contain(`catalog record ${key} cannot be read`).and.to.contain(reason).and.to.contain('If the other members start');
    }
    // Untouched, the same records load.
    const reloaded = await MetaTable.over(VersionedStore.over(db));
    expect(reloaded.collections.get(good.collectionID)?.partitions.map((p) => p.partitionName)).to.deep.equal([partition.partitionName]);
  });

  it('a record whose key holds something else where an ID belongs is refused at load, naming its key', async () => {
    const { db, meta, good, entries } = await catalogWithOneCollection();
    const collectionValue = encodeCollection(good);
    const partitionValue = encodePartition({ ...partition, state: PartitionState.Created });
    const listValue = (await meta.store.getLatest(keys.collectionFieldList(good.collectionID))) as string;
    // Not IDs as a key holds them: a leading zero (it would stand for the same ID as another key), a
    // sign, letters, nothing; each as a collection, a partition's collection and a field-list name.
    for (const id of ['0' + String(good.collectionID), '-5', '12x', '']) {
      for (const [key, value] of [
        [`${keys.collectionPrefix(DEFAULT_DB_ID)}${id}`, collectionValue],
        [`${keys.partitionPrefix()}${id}/77`, partitionValue],
        [`${keys.collectionFieldListPrefix}${id}`, listValue],
      ] as const) {
        const copy = memoryLevel();
        await copy.batch([...entries.map(([k, v]) => ({ type: 'put' as const, key: k, value: v })), { type: 'put' as const, key, value }]);
        const error = await MetaTable.over(VersionedStore.over(copy)).then(() => null, (e: unknown) => e);
        expect(String(error), key).to.contain(`catalog record ${key} cannot be read`).and.to.contain(`holds "${id}" where an ID belongs`);
      }
    }
  });

  it('collections on the same physical channels share one frozen list of them, in memory and after a reload', async () => {
    const a = decodeCollection(encodeCollection(stored));
    const b = decodeCollection(encodeCollection({ ...stored, collectionID: stored.collectionID + 1n, name: 'other' }));
    expect(a.physicalChannelNames).to.equal(b.physicalChannelNames);
    expect(Object.isFrozen(a.physicalChannelNames)).to.equal(true);
    expect(decodeCollection(encodeCollection({ ...stored, physicalChannelNames: ['by-dev-rootcoord-dml_9'] })).physicalChannelNames).to.deep.equal(['by-dev-rootcoord-dml_9']);
    // Lists whose names join to the same text stay themselves.
    for (const lists of [[['x\ny'], ['x', 'y']], [[], ['']]]) {
      const decoded = lists.map((list) => decodeCollection(encodeCollection({ ...stored, physicalChannelNames: list })).physicalChannelNames);
      expect(decoded).to.deep.equal(lists);
    }
    const db = memoryLevel();
    const meta = await MetaTable.over(VersionedStore.over(db));
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], 1);
    const good: CollectionModel = { ...stored, dbID: DEFAULT_DB_ID, state: CollectionState.Created, fields: [], partitions: [{ ...partition, createdTs: stored.createTs, state: PartitionState.Created }] };
    await meta.apply([{ kind: 'putCollection', ts: 10n, collection: good }], 2);
    await meta.apply([{ kind: 'putCollection', ts: 11n, collection: { ...good, collectionID: good.collectionID + 10n, name: 'second', partitions: [{ ...partition, partitionID: partition.partitionID + 10n, collectionID: good.collectionID + 10n }] } }], 3);
    await meta.persist();
    const digest = await meta.digest();
    const reloaded = await MetaTable.over(VersionedStore.over(db));
    expect(await reloaded.digest()).to.equal(digest);
    const [first, second] = [...reloaded.collections.values()];
    expect(first?.physicalChannelNames).to.equal(second?.physicalChannelNames);
    expect(first?.partitions[0]?.collectionID).to.equal(first?.collectionID);
    expect(first?.partitions[0]?.createdTs).to.equal(first?.createTs);
  });
});
