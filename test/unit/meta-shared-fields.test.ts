/**
 * Collections made from one schema share their field objects (FieldInterner): in memory as commands
 * apply and after a reload, which then parses each distinct field once. Sharing must never mix up
 * collections: a change to one collection's field is stored and served for that collection only.
 */
import { expect } from 'chai';
import { parse } from '../../src/common/bigint-json.js';
import { MemoryLevel } from 'memory-level';
import { FieldInterner } from '../../src/meta/field-interner.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DataType, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, FieldModel } from '../../src/meta/model.js';
import { CATALOG_FORMAT, keys, parseVersionKey, SNAPSHOT_PREFIX, TOMBSTONE, versionPrefix } from '../../src/meta/catalog-keys.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';
import type { StoreOp } from '../../src/meta/versioned-store.js';
import { asObjectRecord } from './fixtures/memory-catalog.js';

function field(fieldID: bigint, name: string, dataType: DataType, extra: Partial<FieldModel> = {}): FieldModel {
  return {
    fieldID, name, is_primary_key: false, description: '', data_type: dataType, type_params: [], index_params: [], autoID: false,
    element_type: DataType.None, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false,
    nullable: false, is_function_output: false, ...extra,
  };
}

const schema = (): FieldModel[] => [
  field(100n, 'id', DataType.Int64, { is_primary_key: true }),
  field(101n, 'vec', DataType.FloatVector, { type_params: [{ key: 'dim', value: '8' }] }),
  field(0n, 'RowID', DataType.Int64),
  field(1n, 'Timestamp', DataType.Int64),
];

function collection(id: bigint, fields: FieldModel[]): CollectionModel {
  return {
    collectionID: id, dbID: DEFAULT_DB_ID, name: `c${id}`, description: '', autoID: false, fields,
    partitions: [{ partitionID: id + 1000n, partitionName: '_default', createdTs: 5n, collectionID: id, state: PartitionState.Created }],
    virtualChannelNames: [`v${id}`], physicalChannelNames: ['p0'], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded,
    createTs: 5n, properties: [], enableDynamicField: false, state: CollectionState.Created, updateTs: 5n, numPartitionsHint: 0n,
  };
}

/** What a client is served of a collection: plain data, object identity ignored. */
const served = (meta: MetaTable): unknown => [...meta.collections.values()].map((c) => JSON.parse(JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))) as unknown);

const memory = (): MemoryLevel<string, string> => new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' });
const stored = async (store: VersionedStore, prefix: string): Promise<string[]> => (await store.keysWithPrefix(prefix)).map((k) => k.slice(prefix.length));
/** What they serve, by collection ID (their maps' orders may differ). */
const byId = (m: MetaTable): unknown => (served(m) as Array<{ collectionID: string }>).sort((x, y) => (BigInt(x.collectionID) < BigInt(y.collectionID) ? -1 : 1));
function withDescription(m: MetaTable, id: bigint, description: string): CollectionModel {
  const c = m.collections.get(id) as CollectionModel;
  return { ...c, fields: c.fields.map((f) => (f.fieldID === 101n ? { ...f, description } : f)) };
}

/**
 * The catalog in `store` as a build before format 4 wrote it (records in the form before format 5): Milvus's field records, a version of a
 * field where it changed (a tombstone where it went), and (format 3) the latest field lists unversioned.
 */
async function asMilvusFields(store: VersionedStore, format: '2' | '3'): Promise<StoreOp[]> {
  const ops: StoreOp[] = [];
  const entries = await store.entriesWithPrefix('', true);
  const values = new Map(entries);
  // The lists a latest record names (format 3 kept only those).
  const namedNow = new Set(entries.filter(([k]) => k.startsWith(keys.collectionFieldListPrefix)).map(([, v]) => v));
  const listPrefix = versionPrefix(keys.collectionFieldList(0n)).slice(0, -2);
  let previous = new Map<string, string>();
  let collection = '';
  for (const [key, value] of entries) {
    if (key.startsWith(keys.collectionFieldListPrefix)) {
      if (format === '3' && value !== TOMBSTONE) ops.push({ type: 'put', key, value });
      continue;
    }
    if (key.startsWith(keys.fieldListPrefix)) {
      if (format === '3' && namedNow.has(key.slice(keys.fieldListPrefix.length))) ops.push({ type: 'put', key, value });
      continue;
    }
    if (key === keys.catalogFormat) {
      ops.push({ type: 'put', key, value: format });
      continue;
    }
    if (!key.startsWith(listPrefix)) {
      ops.push({ type: 'put', key, value: asObjectRecord(key, value) });
      continue;
    }
    // A version of a collection's list: the field records that changed at its timestamp.
    const { key: listName, ts } = parseVersionKey(key) as { key: string; ts: bigint };
    const id = BigInt(listName.slice(keys.collectionFieldListPrefix.length));
    if (listName !== collection) {
      collection = listName;
      previous = new Map();
    }
    const now = new Map<string, string>();
    if (value !== TOMBSTONE) for (const text of JSON.parse(values.get(keys.fieldList(value)) as string) as string[]) now.set(String(parse<FieldModel>(text).fieldID), text);
    for (const [fieldID, text] of now) if (previous.get(fieldID) !== text) ops.push(...VersionedStore.put(`root-coord/fields/${id}/${fieldID}`, text, ts));
    for (const fieldID of previous.keys()) if (!now.has(fieldID)) ops.push(...VersionedStore.remove(`root-coord/fields/${id}/${fieldID}`, ts));
    previous = now;
  }
  return ops;
}

describe('MetaTable shared field definitions', () => {
  it('collections of one schema share frozen field objects as they apply and after a reload; a change stays with its collection', async () => {
    const store = VersionedStore.over(new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' }));
    const meta = await MetaTable.over(store);
    let index = 0;
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], ++index);
    // Collection IDs of which one is a prefix of another ("12" and "123"): their keys are adjacent.
    for (const id of [12n, 123n, 124n]) await meta.apply([{ kind: 'putCollection', ts: 10n, collection: collection(id, schema()) }], ++index);
    const other = schema();
    other[1] = field(101n, 'vec', DataType.FloatVector, { type_params: [{ key: 'dim', value: '16' }] });
    await meta.apply([{ kind: 'putCollection', ts: 11n, collection: collection(125n, other) }], ++index);

    const check = (m: MetaTable): void => {
      const fieldsOf = (id: bigint): readonly FieldModel[] => m.collections.get(id)?.fields ?? [];
      expect(fieldsOf(12n)).to.equal(fieldsOf(123n)).and.to.equal(fieldsOf(124n));
      expect(Object.isFrozen(fieldsOf(12n)) && Object.isFrozen(fieldsOf(12n)[1]) && Object.isFrozen(fieldsOf(12n)[1]?.type_params[0])).to.equal(true);
      expect(fieldsOf(125n)).to.not.equal(fieldsOf(12n));
      // The fields they have in common are one object each, the one that differs is not.
      expect(fieldsOf(125n)[0]).to.equal(fieldsOf(12n)[0]);
      expect(fieldsOf(125n)[1]).to.not.equal(fieldsOf(12n)[1]);
      expect(fieldsOf(125n)[1]?.type_params).to.deep.equal([{ key: 'dim', value: '16' }]);
      expect(fieldsOf(12n).map((f) => f.name)).to.deep.equal(['id', 'vec', 'RowID', 'Timestamp']);
    };
    check(meta);
    const before = served(meta);
    await meta.persist();
    const reloaded = await MetaTable.over(store);
    check(reloaded);
    expect(served(reloaded)).to.deep.equal(before);

    // Altering one collection's field (a new description): that collection only, in memory and stored.
    const altered = reloaded.collections.get(123n) as CollectionModel;
    const newFields = altered.fields.map((f) => (f.fieldID === 101n ? { ...f, description: 'changed' } : f));
    await reloaded.apply([{ kind: 'putCollection', ts: 20n, collection: { ...altered, fields: newFields, updateTs: 20n } }], ++index);
    await reloaded.persist();
    for (const m of [reloaded, await MetaTable.over(store)]) {
      expect(m.collections.get(123n)?.fields[1]?.description).to.equal('changed');
      expect(m.collections.get(12n)?.fields[1]?.description).to.equal('');
      expect(m.collections.get(124n)?.fields).to.equal(m.collections.get(12n)?.fields);
    }
    // Collection 123 names a second list from ts 20; 12 still has one version. No field has a record of its own.
    const versions = async (id: bigint): Promise<number> => (await store.keysWithPrefix(versionPrefix(keys.collectionFieldList(id)))).length;
    expect([await versions(12n), await versions(123n)]).to.deep.equal([1, 2]);
    expect(await store.keysWithPrefix('root-coord/fields/')).to.deep.equal([]);
    expect(await store.keysWithPrefix(`${SNAPSHOT_PREFIX}root-coord/fields/`)).to.deep.equal([]);
  });

  it('a reload reads each distinct field list once; a list stays while a version names it, until the catalog GC; past reads find the fields of then; replicas that restart, restore or neither agree', async () => {
    type Command = Parameters<MetaTable['apply']>[0][number];
    // Replica A applies every command and never restarts; replica B reloads its catalog after each one.
    const storeA = VersionedStore.over(memory());
    const storeB = VersionedStore.over(memory());
    const a = await MetaTable.over(storeA);
    let b = await MetaTable.over(storeB);
    // Replica C joins from a snapshot (below).
    let c: MetaTable | null = null;
    let index = 0;
    const apply = async (command: Command | ((m: MetaTable) => Command)): Promise<void> => {
      index++;
      for (const m of c === null ? [a, b] : [a, b, c]) {
        await m.apply([typeof command === 'function' ? command(m) : command], index);
        await m.persist();
      }
      b = await MetaTable.over(storeB);
    };
    const lists = (): Promise<string[]> => stored(storeA, keys.fieldListPrefix);
    const descriptionAt = async (id: bigint, ts: bigint): Promise<string | undefined> => (await a.collectionsAt(DEFAULT_DB_ID, ts)).find((c) => c.collectionID === id)?.fields[1]?.description;

    await apply({ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } });
    for (const id of [12n, 123n, 124n]) await apply({ kind: 'putCollection', ts: 10n, collection: collection(id, schema()) });
    // A field added after the system fields keeps its place (Milvus's field records alone would sort it before them).
    await apply({ kind: 'putCollection', ts: 11n, collection: collection(125n, [...schema(), field(102n, 'added', DataType.Int64)]) });
    expect(await lists()).to.have.length(2);
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.have.members(['12', '123', '124', '125']);
    expect(a.collections.get(125n)?.fields.map((f) => f.name)).to.deep.equal(['id', 'vec', 'RowID', 'Timestamp', 'added']);
    expect(byId(b)).to.deep.equal(byId(a));
    expect(b.collections.get(12n)?.fields).to.equal(b.collections.get(124n)?.fields);

    // A list stays after its last collection goes, while a version names it: a read at a past timestamp reads it.
    await apply({ kind: 'deleteCollection', ts: 12n, collectionID: 125n });
    await apply({ kind: 'deleteCollection', ts: 13n, collectionID: 123n });
    expect(await lists()).to.have.length(2);
    expect((await a.collectionsAt(DEFAULT_DB_ID, 11n)).find((c) => c.collectionID === 125n)?.fields.map((f) => f.name)).to.deep.equal(['id', 'vec', 'RowID', 'Timestamp', 'added']);
    expect((await a.collectionsAt(DEFAULT_DB_ID, 12n)).map((c) => c.collectionID)).to.have.members([12n, 123n, 124n]);
    // A changed collection names another list; changed back, the first again (one batch: both at once).
    await apply((m) => ({ kind: 'putCollection', ts: 14n, collection: withDescription(m, 12n, 'changed') }));
    expect(await lists()).to.have.length(3);
    await apply((m) => ({ kind: 'batch', commands: [{ kind: 'putCollection', ts: 15n, collection: withDescription(m, 124n, 'changed') }, { kind: 'putCollection', ts: 15n, collection: withDescription(m, 12n, '') }] }));
    expect(await lists()).to.have.length(3);
    expect([await descriptionAt(12n, 13n), await descriptionAt(12n, 14n), await descriptionAt(12n, 15n), await descriptionAt(124n, 14n), await descriptionAt(124n, 15n)]).to.deep.equal(['', 'changed', '', '', 'changed']);

    // The GC: deleted collections' records go once their tombstones are old, and their list with them;
    // old versions go (the latest stays), and a list that only they named.
    await apply({ kind: 'gcVersions', versionsBeforeTs: 0n, tombstonesBeforeTs: 13n });
    expect(await lists()).to.have.length(2);
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.deep.equal(['12', '123', '124']);
    await apply({ kind: 'gcVersions', versionsBeforeTs: 16n, tombstonesBeforeTs: 16n });
    expect(await lists()).to.have.length(2);
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.deep.equal(['12', '124']);
    await apply({ kind: 'putCollection', ts: 17n, collection: withDescription(a, 124n, 'again') });
    // A list that only a past version names stays while that version does.
    await apply({ kind: 'gcVersions', versionsBeforeTs: 15n, tombstonesBeforeTs: 15n });
    expect(await lists()).to.have.length(3);
    expect(await descriptionAt(124n, 16n)).to.equal('changed');
    await apply({ kind: 'gcVersions', versionsBeforeTs: 18n, tombstonesBeforeTs: 18n });
    expect(await lists()).to.have.length(2);
    expect(await descriptionAt(124n, 17n)).to.equal('again');

    // A restored copy, the reloading replica and the one that never restarted agree, store and memory.
    const restored = await MetaTable.over(VersionedStore.over(memory()));
    await restored.restore(await a.snapshot(), a.appliedIndex);
    c = restored;
    const agree = async (): Promise<void> => {
      expect(byId(b)).to.deep.equal(byId(a));
      expect(byId(restored)).to.deep.equal(byId(a));
      const digest = await a.digest();
      expect([await b.digest(), await restored.digest()]).to.deep.equal([digest, digest]);
    };
    await agree();
    // And they go on alike: the lists each holds are the catalog's (one written again when needed).
    await apply((m) => ({ kind: 'putCollection', ts: 19n, collection: withDescription(m, 12n, 'changed') }));
    await apply({ kind: 'gcVersions', versionsBeforeTs: 20n, tombstonesBeforeTs: 20n });
    expect(await lists()).to.have.length(2);
    for (const id of [12n, 124n]) await apply({ kind: 'deleteCollection', ts: 21n, collectionID: id });
    await agree();
    await apply({ kind: 'gcVersions', versionsBeforeTs: 22n, tombstonesBeforeTs: 22n });
    expect(await lists()).to.deep.equal([]);
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.deep.equal([]);
    expect(await storeA.keysWithPrefix(SNAPSHOT_PREFIX)).to.deep.equal([`${versionPrefix(keys.database(DEFAULT_DB_ID))}00000000000000000001`]);
    await agree();
  });

  it('a catalog whose collection names a list it does not hold is refused at load, not served without fields', async () => {
    const store = VersionedStore.over(memory());
    const meta = await MetaTable.over(store);
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], 1);
    await meta.apply([{ kind: 'putCollection', ts: 10n, collection: collection(7n, schema()) }], 2);
    await meta.persist();
    await store.write((await store.keysWithPrefix(keys.fieldListPrefix)).map((key) => ({ type: 'del', key })));
    let error: unknown = null;
    await MetaTable.over(store).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/collection 7 names no field list that the catalog holds/);
  });

  it('a GC keeps the version in effect at its bound: a read inside the window finds a collection whose fields changed only before it', async () => {
    const meta = await MetaTable.over(VersionedStore.over(memory()));
    let index = 0;
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], ++index);
    await meta.apply([{ kind: 'putCollection', ts: 10n, collection: collection(7n, schema()) }], ++index);
    // The collection's own key changes at 26 (its list does not), its fields at 30.
    await meta.apply([{ kind: 'putCollection', ts: 26n, collection: { ...(meta.collections.get(7n) as CollectionModel), properties: [{ key: 'collection.ttl.seconds', value: '60' }] } }], ++index);
    const seven = meta.collections.get(7n) as CollectionModel;
    await meta.apply([{ kind: 'putCollection', ts: 30n, collection: { ...seven, fields: [...seven.fields, field(102n, 'added', DataType.Int64)] } }], ++index);
    const namesAt = async (ts: bigint): Promise<string[] | undefined> => (await meta.collectionsAt(DEFAULT_DB_ID, ts)).find((c) => c.collectionID === 7n)?.fields.map((f) => f.name);
    await meta.apply([{ kind: 'gcVersions', versionsBeforeTs: 25n, tombstonesBeforeTs: 25n }], ++index);
    expect([await namesAt(25n), await namesAt(27n), await namesAt(31n)]).to.deep.equal([schema().map((f) => f.name), schema().map((f) => f.name), [...schema().map((f) => f.name), 'added']]);
  });

  for (const added of [false, true]) {
    const formats = added ? (['3'] as const) : (['3', '2'] as const);
    it(`a catalog of format ${formats.join(' or ')} (Milvus field records) is upgraded to versioned field lists: the same catalog as one written by this build${added ? ', a field added after the system fields in its place' : ''}`, async () => {
      // Written by this build: collection 7 changed at ts 20 (with a field added after its system
      // fields at 15: each past list keeps its order, which format 2, with no lists, does not know);
      // collection 8 dropped at ts 30.
      const original = VersionedStore.over(memory());
      const meta = await MetaTable.over(original);
      let index = 0;
      await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], ++index);
      for (const id of [7n, 8n]) await meta.apply([{ kind: 'putCollection', ts: 10n, collection: collection(id, schema()) }], ++index);
      const seven = meta.collections.get(7n) as CollectionModel;
      if (added) await meta.apply([{ kind: 'putCollection', ts: 15n, collection: { ...seven, fields: [...seven.fields, field(102n, 'added', DataType.Int64)] } }], ++index);
      await meta.apply([{ kind: 'putCollection', ts: 20n, collection: withDescription(meta, 7n, 'changed') }], ++index);
      await meta.apply([{ kind: 'deleteCollection', ts: 30n, collectionID: 8n }], ++index);
      await meta.persist();
      const digest = await meta.digest();
      const namesAt = async (m: MetaTable, ts: bigint): Promise<string[] | undefined> => (await m.collectionsAt(DEFAULT_DB_ID, ts)).find((c) => c.collectionID === 7n)?.fields.map((f) => f.name);
      for (const format of formats) {
        const store = VersionedStore.over(memory());
        await store.write(await asMilvusFields(original, format));
        expect(await store.keysWithPrefix('root-coord/fields/')).to.have.length(added ? 9 : 8);
        const upgraded = await MetaTable.over(store);
        expect(await store.getLatest(keys.catalogFormat)).to.equal(String(CATALOG_FORMAT));
        expect(await store.keysWithPrefix('root-coord/fields/')).to.deep.equal([]);
        expect(await store.keysWithPrefix(`${SNAPSHOT_PREFIX}root-coord/fields/`)).to.deep.equal([]);
        expect(byId(upgraded)).to.deep.equal(byId(meta));
        for (const ts of [12n, 17n, 25n]) expect(await namesAt(upgraded, ts), `at ${ts}`).to.deep.equal(await namesAt(meta, ts));
        expect(await upgraded.digest(), `from format ${format}`).to.equal(digest);
      }
    });
  }

  it('a collection whose fields were all removed, upgraded from format 3 or 2, names its empty list and opens again', async () => {
    const original = VersionedStore.over(memory());
    const meta = await MetaTable.over(original);
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], 1);
    await meta.apply([{ kind: 'putCollection', ts: 10n, collection: collection(7n, [field(100n, 'id', DataType.Int64, { is_primary_key: true })]) }], 2);
    await meta.apply([{ kind: 'putCollection', ts: 20n, collection: { ...(meta.collections.get(7n) as CollectionModel), fields: [] } }], 3);
    await meta.persist();
    const digest = await meta.digest();
    for (const format of ['3', '2'] as const) {
      const store = VersionedStore.over(memory());
      await store.write(await asMilvusFields(original, format));
      const upgraded = await MetaTable.over(store);
      expect(upgraded.collections.get(7n)?.fields, `from format ${format}`).to.deep.equal([]);
      await upgraded.persist();
      const reopened = await MetaTable.over(store);
      expect(reopened.collections.get(7n)?.fields).to.deep.equal([]);
      expect(await reopened.digest(), `from format ${format}`).to.equal(digest);
    }
  });

  it('forgets its tables past its capacity without unsharing what is shared', () => {
    const interner = new FieldInterner(2);
    const a = interner.of(field(100n, 'a', DataType.Int64));
    const b = interner.of(field(101n, 'b', DataType.Int64));
    expect(interner.of(field(100n, 'a', DataType.Int64))).to.equal(a);
    const c = interner.of(field(102n, 'c', DataType.Int64));
    expect(interner.of(a)).to.equal(a);
    expect(interner.textOf(b)).to.equal(interner.textOf(interner.of(field(101n, 'b', DataType.Int64))));
    expect(interner.list([a, c])).to.deep.equal([a, c]);
    expect(() => {
      (a as { name: string }).name = 'x';
    }).to.throw(TypeError);
  });
});
