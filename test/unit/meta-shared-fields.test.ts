/**
 * Collections made from one schema share their field objects (FieldInterner): in memory as commands
 * apply and after a reload, which then parses each distinct field once. Sharing must never mix up
 * collections: a change to one collection's field is stored and served for that collection only.
 */
import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { FieldInterner } from '../../src/meta/field-interner.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DataType, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, FieldModel } from '../../src/meta/model.js';
import { keys, SNAPSHOT_PREFIX, versionPrefix } from '../../src/meta/catalog-keys.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';

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
    // The unchanged fields were not written again: one version of field 100 of collection 123, two of 101.
    const versions = async (fieldID: number): Promise<number> => (await store.keysWithPrefix(versionPrefix(`root-coord/fields/123/${fieldID}`))).length;
    expect([await versions(100), await versions(101)]).to.deep.equal([1, 2]);
  });

  it('a reload reads each distinct field list once, not the field records; a list goes with its last collection; replicas that restart, restore or neither agree; a format 2 catalog is upgraded', async () => {
    const memory = (): MemoryLevel<string, string> => new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' });
    type Command = Parameters<MetaTable['apply']>[0][number];
    // Replica A applies every command and never restarts; replica B reloads its catalog after each one.
    const storeA = VersionedStore.over(memory());
    const storeB = VersionedStore.over(memory());
    const a = await MetaTable.over(storeA);
    let b = await MetaTable.over(storeB);
    let index = 0;
    const apply = async (command: Command | ((m: MetaTable) => Command)): Promise<void> => {
      index++;
      for (const m of [a, b]) {
        await m.apply([typeof command === 'function' ? command(m) : command], index);
        await m.persist();
      }
      b = await MetaTable.over(storeB);
    };
    const stored = async (store: VersionedStore, prefix: string): Promise<string[]> => (await store.keysWithPrefix(prefix)).map((k) => k.slice(prefix.length));
    const lists = (): Promise<string[]> => stored(storeA, keys.fieldListPrefix);
    // What they serve, by collection ID (their maps' orders may differ).
    const byId = (m: MetaTable): unknown => (served(m) as Array<{ collectionID: string }>).sort((x, y) => (BigInt(x.collectionID) < BigInt(y.collectionID) ? -1 : 1));
    const withDescription = (m: MetaTable, id: bigint, description: string): CollectionModel => {
      const c = m.collections.get(id) as CollectionModel;
      return { ...c, fields: c.fields.map((f) => (f.fieldID === 101n ? { ...f, description } : f)) };
    };

    await apply({ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } });
    for (const id of [12n, 123n, 124n]) await apply({ kind: 'putCollection', ts: 10n, collection: collection(id, schema()) });
    // A field added after the system fields keeps its place (the field records alone would sort it before them).
    await apply({ kind: 'putCollection', ts: 11n, collection: collection(125n, [...schema(), field(102n, 'added', DataType.Int64)]) });
    expect(await lists()).to.have.length(2);
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.have.members(['12', '123', '124', '125']);
    expect(a.collections.get(125n)?.fields.map((f) => f.name)).to.deep.equal(['id', 'vec', 'RowID', 'Timestamp', 'added']);
    expect(byId(b)).to.deep.equal(byId(a));

    // Without the latest field records, a reload serves the same: it read the lists.
    const fieldRecords = (await storeA.keysWithPrefix(keys.fieldPrefix())).filter((k) => !k.startsWith(SNAPSHOT_PREFIX));
    const saved = await Promise.all(fieldRecords.map(async (k) => [k, (await storeA.getLatest(k)) as string] as const));
    await storeA.write(fieldRecords.map((key) => ({ type: 'del', key })));
    const reloaded = await MetaTable.over(storeA);
    expect(byId(reloaded)).to.deep.equal(byId(a));
    expect(reloaded.collections.get(12n)?.fields).to.equal(reloaded.collections.get(124n)?.fields);
    await storeA.write(saved.map(([key, value]) => ({ type: 'put', key, value })));

    // A list goes with the last collection that names it, not before: 123 and 124 share one.
    await apply({ kind: 'deleteCollection', ts: 12n, collectionID: 125n });
    expect(await lists()).to.have.length(1);
    await apply({ kind: 'deleteCollection', ts: 13n, collectionID: 123n });
    expect(await lists()).to.have.length(1);
    // A changed collection names another list; changed back, the first again (one batch: both at once).
    await apply((m) => ({ kind: 'putCollection', ts: 14n, collection: withDescription(m, 12n, 'changed') }));
    expect(await lists()).to.have.length(2);
    await apply((m) => ({ kind: 'batch', commands: [{ kind: 'putCollection', ts: 15n, collection: withDescription(m, 124n, 'changed') }, { kind: 'putCollection', ts: 15n, collection: withDescription(m, 12n, '') }] }));
    expect(await lists()).to.have.length(2);
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.deep.equal(['12', '124']);

    // A restored copy, the reloading replica and the one that never restarted agree, store and memory.
    const c = await MetaTable.over(VersionedStore.over(memory()));
    await c.restore(await a.snapshot(), a.appliedIndex);
    expect(byId(b)).to.deep.equal(byId(a));
    expect(byId(c)).to.deep.equal(byId(a));
    const digest = await a.digest();
    expect([await b.digest(), await c.digest()]).to.deep.equal([digest, digest]);

    // A catalog of format 2 (no lists): opened, every collection names its list and the format is 3;
    // an older build, which would leave lists stale, refuses it.
    await storeA.write([...(await storeA.keysWithPrefix('rootcoord/')).filter((k) => k.startsWith(keys.fieldListPrefix) || k.startsWith(keys.collectionFieldListPrefix)).map((key) => ({ type: 'del' as const, key })), { type: 'put', key: keys.catalogFormat, value: '2' }]);
    const upgraded = await MetaTable.over(storeA);
    expect(await storeA.getLatest(keys.catalogFormat)).to.equal('3');
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.deep.equal(['12', '124']);
    expect(byId(upgraded)).to.deep.equal(byId(a));
    expect(await upgraded.digest()).to.equal(digest);
    for (const id of [12n, 124n]) await upgraded.apply([{ kind: 'deleteCollection', ts: 16n, collectionID: id }], ++index);
    await upgraded.persist();
    expect(await lists()).to.deep.equal([]);
    expect(await stored(storeA, keys.collectionFieldListPrefix)).to.deep.equal([]);
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
