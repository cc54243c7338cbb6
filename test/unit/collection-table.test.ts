/**
 * A restart reads every collection's records but decodes a collection only when it is first read
 * (CollectionTable, PendingCollection): what the index counts, what a new leader looks for and what the
 * metrics show come from each record's summary, and a collection read after a restart is the one
 * that was written.
 */
import { expect } from 'chai';
import { generalCapacityUsed } from '../../src/ddl/lookups.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import { CollectionTable, PendingCollection } from '../../src/meta/collection-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, PartitionModel } from '../../src/meta/model.js';
import { memoryLevel, metaOver } from './fixtures/memory-catalog.js';
import { systemClock } from '../../raft/clock.js';
import { sourceBytes } from '../../raft/snapshot-data.js';
import { isReplicaLocal, keys } from '../../src/meta/catalog-keys.js';
import { encodeCatalogSnapshot, inlineCodec } from '../../src/meta/catalog-snapshot.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';

function partition(collectionID: bigint, n: number, state: PartitionState): PartitionModel {
  return { partitionID: collectionID * 100n + BigInt(n), partitionName: n === 0 ? '_default' : `p${n}`, createdTs: 5n + BigInt(n), collectionID, state };
}

function collection(id: bigint, dbID: bigint, state: CollectionState, partitions: PartitionState[]): CollectionModel {
  const pchannels = [`by-dev-rootcoord-dml_${Number(id) % 3}`, `by-dev-rootcoord-dml_${(Number(id) + 1) % 3}`];
  return {
    collectionID: id, dbID, name: `c${id}`, description: `collection ${id}`, autoID: false, fields: [],
    partitions: partitions.map((s, n) => partition(id, n, s)),
    virtualChannelNames: pchannels.map((p, i) => `${p}_${id}v${i}`), physicalChannelNames: pchannels, shardsNum: 2, consistencyLevel: ConsistencyLevel.Strong,
    createTs: 5n, properties: [{ key: 'k', value: String(id) }], enableDynamicField: false, state, updateTs: 6n, numPartitionsHint: 0n,
  };
}

/** How many collections of `meta` are loaded and not decoded yet. */
function pending(meta: MetaTable): number {
  let n = 0;
  for (const entry of (meta.collections as unknown as { all: Map<string, unknown> }).all.values()) if (entry instanceof PendingCollection) n++;
  return n;
}

function counts(meta: MetaTable, ids: readonly bigint[]): unknown {
  return {
    created: [meta.createdCollectionCount(), meta.createdCollectionCount(DEFAULT_DB_ID), meta.createdCollectionCount(2n)],
    capacity: generalCapacityUsed(meta),
    partitions: meta.availablePartitionCount(),
    perCollection: ids.map((id) => meta.createdPartitionCount(id)),
    channels: [...meta.channelReferences()].sort(),
    size: meta.collections.size,
    has: ids.map((id) => meta.collections.has(id)),
  };
}

const putDb = (id: bigint, name: string): MetaCommand => ({ kind: 'putDatabase', ts: 1n, database: { id, name, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } });

describe('collections loaded at a start, decoded when first read', () => {
  it('a reload decodes none; counts, a new leader\'s search and a channel\'s collections decode only what they return; a read finds what was written', async () => {
    const db = memoryLevel();
    const meta = await metaOver(db);
    await meta.apply([putDb(DEFAULT_DB_ID, DEFAULT_DB_NAME), putDb(2n, 'two')], 1);
    const ids: bigint[] = [];
    const commands: MetaCommand[] = [];
    const C = PartitionState.Created;
    for (let i = 0; i < 40; i++) {
      const id = BigInt(1000 + i);
      ids.push(id);
      // Every tenth Creating, every tenth (another) Dropping, every seventh with a Dropping partition, every eleventh with a Creating one.
      const state = i % 10 === 3 ? CollectionState.Creating : i % 10 === 6 ? CollectionState.Dropping : CollectionState.Created;
      const partitions = [C, C, i % 7 === 0 ? PartitionState.Dropping : i % 11 === 0 ? PartitionState.Creating : C];
      commands.push({ kind: 'putCollection', ts: 10n + BigInt(i), collection: collection(id, i % 2 === 0 ? DEFAULT_DB_ID : 2n, state, partitions) });
    }
    await meta.apply(commands, 2);
    await meta.persist();

    // No background decode unless asked (a node asks once its Raft thread has started).
    const reloaded = await metaOver(db);
    expect(pending(reloaded)).to.equal(40);
    expect(counts(reloaded, ids)).to.deep.equal(counts(meta, ids));
    expect(pending(reloaded), 'counting decodes none').to.equal(40);

    const inTransition = (m: MetaTable): bigint[] => m.collections.inTransition().map((c) => c.collectionID).sort();
    const expected = [...meta.collections.values()]
      .filter((c) => c.state === CollectionState.Creating || c.state === CollectionState.Dropping || c.partitions.some((p) => p.state === PartitionState.Creating || p.state === PartitionState.Dropping))
      .map((c) => c.collectionID)
      .sort();
    expect(expected.length).to.be.within(10, 30);
    expect(inTransition(reloaded)).to.deep.equal(expected);
    expect(pending(reloaded), 'a new leader decodes only the collections it rolls back or forward').to.equal(40 - expected.length);

    const onChannel = (m: MetaTable): bigint[] => m.collections.onChannel('by-dev-rootcoord-dml_0').map((c) => c.collectionID).sort();
    expect(onChannel(meta)).to.have.length.above(5);
    expect(onChannel(reloaded)).to.deep.equal(onChannel(meta));

    // A read decodes the collection once, as it was written.
    expect(pending(reloaded)).to.be.above(0);
    const first = reloaded.collectionByName(DEFAULT_DB_ID, 'c1000');
    expect(first).to.deep.equal(meta.collections.get(1000n));
    expect(reloaded.collections.get(1000n)).to.equal(first);

    // Commands on collections not read yet apply as on the original: a partition added and one
    // dropped, a state changed, a collection dropped, one moved to another database, one renamed.
    const original = (id: bigint): CollectionModel => meta.collections.get(id) as CollectionModel;
    const later: MetaCommand[] = [
      { kind: 'putPartition', ts: 90n, collectionID: 1001n, partition: partition(1001n, 7, C) },
      { kind: 'deletePartition', ts: 90n, collectionID: 1002n, partitionID: 100201n },
      { kind: 'setCollectionState', ts: 91n, collectionID: 1008n, state: CollectionState.Dropping },
      { kind: 'deleteCollection', ts: 92n, collectionID: 1009n },
      { kind: 'putCollection', ts: 93n, collection: { ...original(1010n), dbID: 2n } },
      { kind: 'putCollection', ts: 94n, collection: { ...original(1012n), name: 'renamed' } },
    ];
    expect(pending(reloaded)).to.be.above(6);
    expect(await reloaded.apply(later, 3)).to.deep.equal(await meta.apply(later, 3));
    expect(counts(reloaded, ids)).to.deep.equal(counts(meta, ids));
    for (const [db, name] of [[DEFAULT_DB_ID, 'renamed'], [DEFAULT_DB_ID, 'c1012'], [2n, 'c1010'], [DEFAULT_DB_ID, 'c1010'], [2n, 'c1009']] as const) {
      expect(reloaded.collectionByName(db, name), `${db} ${name}`).to.deep.equal(meta.collectionByName(db, name));
    }

    // Every collection, and the digest of everything served.
    expect(reloaded.collectionsOf(2n)).to.deep.equal(meta.collectionsOf(2n));
    expect(reloaded.collectionsOf(DEFAULT_DB_ID)).to.deep.equal(meta.collectionsOf(DEFAULT_DB_ID));
    expect(new Map(reloaded.collections.entries())).to.deep.equal(new Map(meta.collections.entries()));
    expect(pending(reloaded)).to.equal(0);
    expect(await reloaded.digest()).to.equal(await meta.digest());
  });
});

describe('the background decode after a load', () => {
  it('decodes the pending collections in slices, in the order they were loaded, and none twice', () => {
    const table = new CollectionTable();
    const decodedIds: bigint[] = [];
    const decode = (p: PendingCollection): CollectionModel => {
      decodedIds.push(p.collectionID);
      return collection(p.collectionID, p.dbID, p.state, [PartitionState.Created]);
    };
    const pendingOf = (id: bigint): PendingCollection =>
      new PendingCollection(id, DEFAULT_DB_ID, `c${id}`, CollectionState.Created, 2, [], 1, 1 << PartitionState.Created, '', [], [], [], [], decode);
    for (let i = 0; i < 200; i++) table.set(pendingOf(BigInt(i)));
    // Read first: decoded then, not again.
    expect(table.get(150n)?.collectionID).to.equal(150n);
    table.delete(151n);
    let asked = 0;
    expect(table.decodeSome(() => ++asked === 1)).to.equal(true);
    expect(decodedIds).to.deep.equal([150n, ...Array.from({ length: 64 }, (_, i) => BigInt(i))]);
    expect(table.decodeSome(() => false)).to.equal(false);
    expect(decodedIds).to.have.length(199);
    expect(new Set(decodedIds).size).to.equal(199);
    expect(table.decodeSome(() => false)).to.equal(false);
    // A collection added pending later is queued again.
    table.set(pendingOf(500n));
    expect(table.decodeSome(() => true)).to.equal(false);
    expect(decodedIds.at(-1)).to.equal(500n);
    // A database's list decodes what is pending (and copies the list as it is when nothing is): a
    // pending one added, one added and deleted, one replaced by another pending one.
    const listed = (): CollectionModel[] => table.ofDb(DEFAULT_DB_ID);
    expect(listed().some((c) => c instanceof PendingCollection)).to.equal(false);
    table.set(pendingOf(600n));
    table.set(pendingOf(601n));
    table.delete(601n);
    table.set(pendingOf(602n));
    table.set(pendingOf(602n));
    const list = listed();
    expect(list.some((c) => c instanceof PendingCollection)).to.equal(false);
    expect(decodedIds.slice(-2)).to.deep.equal([600n, 602n]);
    expect(list).to.have.length(202);
    expect(listed()).to.deep.equal(list);
  });

  async function filled(n: number): Promise<{ db: ReturnType<typeof memoryLevel>; meta: MetaTable }> {
    const db = memoryLevel();
    const meta = await metaOver(db);
    await meta.apply([putDb(DEFAULT_DB_ID, DEFAULT_DB_NAME)], 1);
    const commands: MetaCommand[] = [];
    for (let i = 0; i < n; i++) commands.push({ kind: 'putCollection', ts: 10n, collection: collection(BigInt(5000 + i), DEFAULT_DB_ID, CollectionState.Created, [PartitionState.Created]) });
    await meta.apply(commands, 2);
    await meta.persist();
    return { db, meta };
  }

  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('leaves no collection pending soon after a MetaTable load, once asked, a slice at a time', async function () {
    this.timeout(30_000);
    const { db, meta } = await filled(3000);
    // A clock that moves 1 ms each time it is read: a 5 ms slice decodes a few batches of 64, not all.
    let now = 0;
    const clock = { ...systemClock, monotonicMs: () => now++ };
    const reloaded = await MetaTable.over(VersionedStore.over(db), clock);
    expect(pending(reloaded)).to.equal(3000);
    const done = reloaded.decodeInBackground();
    await nextTurn();
    expect(pending(reloaded)).to.be.within(1, 3000 - 64);
    expect(await done).to.equal(true);
    expect(pending(reloaded)).to.equal(0);
    expect(await reloaded.digest()).to.equal(await meta.digest());
  });

  it('stops at a close, a crash or another call; a restore starts it itself', async () => {
    const { db, meta } = await filled(500);
    const first = await metaOver(db);
    const stopped = first.decodeInBackground();
    const again = first.decodeInBackground();
    expect(await stopped).to.equal(false);
    expect(await again).to.equal(true);
    const third = await metaOver(db);
    const crashed = third.decodeInBackground();
    third.abandon();
    expect(await crashed).to.equal(false);
    expect(pending(third)).to.equal(500);

    const restored = await metaOver();
    await restored.restore(await meta.snapshot(), 2);
    expect(pending(restored)).to.equal(500);
    const deadline = Date.now() + 10_000;
    while (pending(restored) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pending(restored)).to.equal(0);
    expect(await restored.digest()).to.equal(await meta.digest());
    // Last: closing a table closes the store under all of them.
    const second = await metaOver(db);
    const closed = second.decodeInBackground();
    await second.close();
    expect(await closed).to.equal(false);
  });

  it('a snapshot with a record that cannot be read is refused before it is applied', async () => {
    const { meta } = await filled(3);
    const entries = await meta.store.entriesWithPrefix('', true);
    // A collection ID that is not a number; a partition state that is not one.
    const damage = { collection: (value: string) => value.replace(/^\["/, '["x'), partition: (value: string) => value.replace(/,0\]$/, ',"created"]') };
    for (const [kind, prefix] of [['collection', keys.collectionPrefix()], ['partition', keys.partitionPrefix()]] as const) {
      const bad = entries.find(([key]) => key.startsWith(prefix)) as [string, string];
      const records = entries.map(([key, value]): [string, string] => [key, key === bad[0] ? damage[kind](value) : value]);
      expect(records.some(([key, value]) => key === bad[0] && value !== bad[1]), kind).to.equal(true);
      async function* batches(): AsyncGenerator<Array<[string, string]>> {
        yield records;
      }
      const snapshot = await sourceBytes(encodeCatalogSnapshot(batches(), isReplicaLocal, inlineCodec));
      const target = memoryLevel();
      const restoring = await metaOver(target);
      const error = await restoring.restore(snapshot, 7).then(() => null, (e: unknown) => e);
      expect(String(error), kind).to.contain(`catalog record ${bad[0]} cannot be read`).and.to.contain("It came in the leader's snapshot");
      // Nothing counts as applied: a restart installs the snapshot again.
      expect((await metaOver(target)).appliedIndex, kind).to.equal(0);
    }
  });

  it('a snapshot with a field, function or struct-array field record whose key holds no collection ID is refused before it is applied', async () => {
    const { meta } = await filled(3);
    const entries = await meta.store.entriesWithPrefix('', true);
    // Field records are read only when a collection names no list, but their keys are checked as they come.
    for (const key of [`${keys.fieldPrefix()}12x/100`, `${keys.fieldPrefix()}0123/100`, `${keys.functionPrefix()}-1/5`, `${keys.structArrayFieldPrefix()}/7`, `${keys.fieldPrefix()}123`]) {
      async function* batches(): AsyncGenerator<Array<[string, string]>> {
        yield [...entries, [key, '{}'] as [string, string]].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      }
      const snapshot = await sourceBytes(encodeCatalogSnapshot(batches(), isReplicaLocal, inlineCodec));
      const target = memoryLevel();
      const restoring = await metaOver(target);
      const error = await restoring.restore(snapshot, 7).then(() => null, (e: unknown) => e);
      expect(String(error), key).to.contain(`catalog record ${key} cannot be read`).and.to.contain("It came in the leader's snapshot");
      expect((await metaOver(target)).appliedIndex, key).to.equal(0);
    }
  });
});
