/**
 * Per-db and per-collection indexes (issue 9 E): the DDL path (collections of a db, a collection's
 * aliases, collection counts, general capacity, channel references) never scans the whole catalog, and
 * what the indexes answer always equals a scan, through a random history and after a reload.
 */
import { expect } from 'chai';
import { Prng } from '../../raft/prng.js';
import { channelRefCounts } from '../../src/ddl/dml-channels.js';
import { defaultLimits } from '../../src/ddl/limits.js';
import { generalCapacityUsed } from '../../src/ddl/lookups.js';
import type { TaskContext } from '../../src/ddl/task.js';
import { CreateCollectionTask } from '../../src/ddl/tasks/create-collection-task.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import type { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel } from '../../src/meta/model.js';
import { memoryLevel, metaOver } from './fixtures/memory-catalog.js';

const limits = { ...defaultLimits, dmlChannelNum: 4 };

function collection(id: bigint, dbID: bigint, state: CollectionState, shards: number, name = `c${id}`): CollectionModel {
  const pchannels = Array.from({ length: shards }, (_, i) => `by-dev-rootcoord-dml_${(Number(id) + i) % 4}`);
  return {
    collectionID: id, dbID, name, description: '', autoID: false, fields: [],
    partitions: [{ partitionID: id * 1000n, partitionName: '_default', createdTs: 1n, collectionID: id, state: PartitionState.Created }],
    virtualChannelNames: pchannels.map((p, i) => `${p}_${id}v${i}`), physicalChannelNames: pchannels, shardsNum: shards, consistencyLevel: ConsistencyLevel.Bounded,
    createTs: id, properties: [], enableDynamicField: false, state, updateTs: 1n, numPartitionsHint: 0n,
  };
}

const putDb = (id: bigint, name: string): MetaCommand => ({ kind: 'putDatabase', ts: 1n, database: { id, name, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } });

/** Every index answer, computed by scanning instead. */
function scanned(meta: MetaTable, dbIDs: bigint[]): unknown {
  const all = [...meta.collections.values()];
  const created = all.filter((c) => c.state === CollectionState.Created);
  const aliases = new Map<bigint, string[]>();
  for (const db of dbIDs) for (const a of meta.aliasesOf(db)) aliases.set(a.collectionID, [...(aliases.get(a.collectionID) ?? []), a.name].sort());
  const refs = new Map(Array.from({ length: 4 }, (_, i) => [`by-dev-rootcoord-dml_${i}`, 0]));
  for (const c of all) for (const p of c.physicalChannelNames) refs.set(p, (refs.get(p) ?? 0) + 1);
  return {
    perDb: dbIDs.map((db) => all.filter((c) => c.dbID === db).sort((a, b) => (a.createTs < b.createTs ? -1 : 1)).map((c) => c.collectionID)),
    createdPerDb: dbIDs.map((db) => created.filter((c) => c.dbID === db).length),
    created: created.length,
    capacity: created.reduce((sum, c) => sum + c.partitions.filter((p) => p.state === PartitionState.Created).length * c.shardsNum, 0),
    partitionsAvailable: created.reduce((sum, c) => sum + c.partitions.filter((p) => p.state === PartitionState.Created).length, 0),
    refs: [...refs],
    aliases: all.map((c) => [c.collectionID, aliases.get(c.collectionID) ?? []]).sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1)),
  };
}

function indexed(meta: MetaTable, dbIDs: bigint[]): unknown {
  return {
    perDb: dbIDs.map((db) => meta.collectionsOf(db).map((c) => c.collectionID)),
    createdPerDb: dbIDs.map((db) => meta.createdCollectionCount(db)),
    created: meta.createdCollectionCount(),
    capacity: generalCapacityUsed(meta),
    partitionsAvailable: meta.availablePartitionCount(),
    refs: [...channelRefCounts(meta, limits)],
    aliases: [...meta.collections.values()].map((c) => [c.collectionID, meta.aliasesOfCollection(c.collectionID)]).sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1)),
  };
}

describe('MetaTable indexes', () => {
  it('answer what a scan answers after every command of a random history, and after a reload', async () => {
    const prng = new Prng(909);
    const db = memoryLevel();
    const meta = await metaOver(db);
    const dbIDs = [DEFAULT_DB_ID, 2n, 3n];
    await meta.apply([putDb(DEFAULT_DB_ID, DEFAULT_DB_NAME), putDb(2n, 'two'), putDb(3n, 'three')], 1);
    let index = 1;
    let ts = 10n;
    const pick = <T>(items: readonly T[]): T | undefined => (items.length === 0 ? undefined : items[Math.floor(prng.nextFloat() * items.length)]);
    const states = [CollectionState.Created, CollectionState.Creating, CollectionState.Dropping];
    for (let step = 0; step < 800; step++) {
      const current = pick([...meta.collections.values()]);
      const roll = prng.nextFloat();
      let command: MetaCommand;
      if (current === undefined || roll < 0.15) {
        command = { kind: 'putCollection', ts, collection: collection(BigInt(100 + step), pick(dbIDs) as bigint, pick(states) as CollectionState, 1 + Math.floor(prng.nextFloat() * 3)) };
      } else if (roll < 0.3) {
        command = { kind: 'putCollection', ts, collection: { ...current, state: pick(states) as CollectionState, dbID: prng.nextFloat() < 0.2 ? (pick(dbIDs) as bigint) : current.dbID } };
      } else if (roll < 0.45) {
        command = { kind: 'putPartition', ts, collectionID: current.collectionID, partition: { partitionID: BigInt(step), partitionName: `p${step}`, createdTs: ts, collectionID: current.collectionID, state: prng.nextFloat() < 0.7 ? PartitionState.Created : PartitionState.Dropping } };
      } else if (roll < 0.55) {
        const partition = pick(current.partitions);
        command = partition === undefined ? { kind: 'expireRequests', beforeTs: 0n } : { kind: 'deletePartition', ts, collectionID: current.collectionID, partitionID: partition.partitionID };
      } else if (roll < 0.75) {
        command = { kind: 'putAlias', ts, alias: { dbID: current.dbID, name: `a${Math.floor(prng.nextFloat() * 12)}`, collectionID: current.collectionID, createdTs: ts } };
      } else if (roll < 0.85) {
        command = { kind: 'deleteAlias', ts, dbID: current.dbID, name: `a${Math.floor(prng.nextFloat() * 12)}` };
      } else if (roll < 0.97) {
        command = { kind: 'deleteCollection', ts, collectionID: current.collectionID };
      } else {
        const dbID = pick([2n, 3n]) as bigint;
        command = prng.nextFloat() < 0.5 ? { kind: 'deleteDatabase', ts, dbID } : putDb(dbID, dbID === 2n ? 'two' : 'three');
      }
      await meta.apply([command], ++index);
      ts++;
      expect(indexed(meta, dbIDs), `step ${step}: ${command.kind}`).to.deep.equal(scanned(meta, dbIDs));
    }
    await meta.flushed();
    const reloaded = await metaOver(db);
    expect(indexed(reloaded, dbIDs)).to.deep.equal(scanned(reloaded, dbIDs));
    expect(indexed(reloaded, dbIDs)).to.deep.equal(indexed(meta, dbIDs));
  });

  it('a name\'s owner after a reload is the one a replica that did not restart has: commands apply alike on both', async () => {
    const db = memoryLevel();
    const meta = await metaOver(db);
    await meta.apply([putDb(DEFAULT_DB_ID, DEFAULT_DB_NAME)], 1);
    // 1014 is being dropped; 1012 is renamed to its name (allowed: a Dropping collection's name is free).
    await meta.apply([
      { kind: 'putCollection', ts: 2n, collection: collection(1012n, DEFAULT_DB_ID, CollectionState.Created, 1) },
      { kind: 'putCollection', ts: 2n, collection: collection(1014n, DEFAULT_DB_ID, CollectionState.Dropping, 1) },
    ], 2);
    await meta.apply([{ kind: 'putCollection', ts: 3n, collection: { ...(meta.collections.get(1012n) as CollectionModel), name: 'c1014' } }], 3);
    await meta.persist();
    const reloaded = await metaOver(db);
    expect(reloaded.collectionNameOwner(DEFAULT_DB_ID, 'c1014')?.collectionID).to.equal(1012n);
    // Each decided by who owns the name: the Dropping collection's state, an alias of the name, another collection of the name.
    const commands: MetaCommand[][] = [
      [{ kind: 'setCollectionState', ts: 4n, collectionID: 1014n, state: CollectionState.Dropped }],
      [{ kind: 'putAlias', ts: 5n, alias: { dbID: DEFAULT_DB_ID, name: 'c1014', collectionID: 1012n, createdTs: 5n } }],
      [{ kind: 'putCollection', ts: 6n, collection: collection(1016n, DEFAULT_DB_ID, CollectionState.Creating, 1, 'c1014') }],
    ];
    let index = 3;
    for (const batch of commands) {
      index++;
      expect(await reloaded.apply(batch, index), batch[0]?.kind).to.deep.equal(await meta.apply(batch, index));
    }
    expect(await reloaded.digest()).to.equal(await meta.digest());
  });

  it('a replica restarted at any point decides every later command as one that did not restart (random histories)', async function () {
    this.timeout(120_000);
    const NAMES = ['x', 'y', 'z'];
    const DBS = [DEFAULT_DB_ID, 2n];
    const STATES = [CollectionState.Created, CollectionState.Creating, CollectionState.Dropping, CollectionState.Dropped];
    const live = (c: CollectionModel | undefined, states: CollectionState[]): string | null => (c !== undefined && states.includes(c.state) ? String(c.collectionID) : null);
    // What a precondition or a read can tell of each name: its Created collection, its Created or Creating owner.
    const decisions = (m: MetaTable): string => JSON.stringify(DBS.flatMap((db) => NAMES.map((n) => [
      live(m.collectionByName(db, n), [CollectionState.Created]), live(m.collectionNameOwner(db, n), [CollectionState.Created, CollectionState.Creating]),
    ])));
    const copyOf = async (level: ReturnType<typeof memoryLevel>): Promise<ReturnType<typeof memoryLevel>> => {
      const copy = memoryLevel();
      const entries: Array<{ type: 'put'; key: string; value: string }> = [];
      for await (const [key, value] of level.iterator()) entries.push({ type: 'put', key, value });
      await copy.batch(entries);
      return copy;
    };
    for (let seed = 1; seed <= 40; seed++) {
      const prng = new Prng(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(prng.nextFloat() * items.length)] as T;
      const level = memoryLevel();
      const meta = await metaOver(level);
      let index = 1;
      let ts = 10n;
      let nextId = 100n;
      await meta.apply([putDb(DEFAULT_DB_ID, DEFAULT_DB_NAME), putDb(2n, 'two')], index);
      const next = (): MetaCommand => {
        ts++;
        const ids = [...meta.collections.keys()];
        const roll = prng.nextFloat();
        if (ids.length === 0 || roll < 0.25) return { kind: 'putCollection', ts, collection: collection(nextId++, pick(DBS), pick(STATES), 1, pick(NAMES)) };
        const id = pick(ids);
        const current = meta.collections.get(id) as CollectionModel;
        if (roll < 0.45) return { kind: 'setCollectionState', ts, collectionID: id, state: pick(STATES) };
        if (roll < 0.6) return { kind: 'putCollection', ts, collection: { ...current, name: pick(NAMES), dbID: prng.nextFloat() < 0.3 ? pick(DBS) : current.dbID, state: prng.nextFloat() < 0.3 ? pick(STATES) : current.state } };
        if (roll < 0.72) return { kind: 'deleteCollection', ts, collectionID: id };
        if (roll < 0.85) return { kind: 'putAlias', ts, alias: { dbID: pick(DBS), name: pick(NAMES), collectionID: id, createdTs: ts } };
        if (roll < 0.9) return { kind: 'deleteAlias', ts, dbID: pick(DBS), name: pick(NAMES) };
        return prng.nextFloat() < 0.5 ? { kind: 'deleteDatabase', ts, dbID: 2n } : putDb(2n, 'two');
      };
      for (let step = 0; step < 30; step++) {
        await meta.flushed();
        const restarted = await metaOver(await copyOf(level));
        for (let w = 1 + Math.floor(prng.nextFloat() * 3); w > 0; w--) {
          expect(decisions(restarted), `seed ${seed} step ${step}`).to.equal(decisions(meta));
          const command = next();
          index++;
          expect(await restarted.apply([command], index), `seed ${seed} step ${step}: ${command.kind}`).to.deep.equal(await meta.apply([command], index));
        }
      }
    }
  });

  it('the DDL-path lookups never iterate over every collection or every alias', async () => {
    const meta = await metaOver();
    await meta.apply([putDb(DEFAULT_DB_ID, DEFAULT_DB_NAME), putDb(2n, 'two')], 1);
    const commands: MetaCommand[] = [];
    for (let i = 0; i < 200; i++) commands.push({ kind: 'putCollection', ts: 2n, collection: collection(BigInt(100 + i), i % 2 === 0 ? DEFAULT_DB_ID : 2n, CollectionState.Created, 1) });
    commands.push({ kind: 'putAlias', ts: 3n, alias: { dbID: DEFAULT_DB_ID, name: 'a', collectionID: 100n, createdTs: 3n } });
    await meta.apply(commands, 2);
    const forbid = (map: object, what: string): void => {
      const refuse = (): never => {
        throw new Error(`scanned ${what}`);
      };
      for (const method of ['values', 'keys', 'entries', 'forEach', Symbol.iterator] as const) Object.defineProperty(map, method, { value: refuse });
    };
    forbid(meta.collections, 'every collection');
    forbid((meta.collections as unknown as { all: Map<unknown, unknown> }).all, 'every collection');
    forbid((meta as unknown as { index: { aliasesByDb: Map<unknown, unknown> } }).index.aliasesByDb, 'every database\'s aliases');
    expect(meta.collectionsOf(2n)).to.have.length(100);
    expect(meta.aliasesOfCollection(100n)).to.deep.equal(['a']);
    expect(generalCapacityUsed(meta)).to.equal(200);
    expect(channelRefCounts(meta, limits).get('by-dev-rootcoord-dml_0')).to.equal(50);
    const task = new CreateCollectionTask({
      dbName: 'two', collectionName: 'fresh', shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded, properties: [], numPartitions: 0n,
      schema: { name: 'fresh', description: '', autoID: false, enable_dynamic_field: false, fields: [
        { name: 'id', is_primary_key: true, description: '', data_type: 5, type_params: [], index_params: [], autoID: false, element_type: 0, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false },
        { name: 'v', is_primary_key: false, description: '', data_type: 101, type_params: [{ key: 'dim', value: '8' }], index_params: [], autoID: false, element_type: 0, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false },
      ] },
    });
    task.prepare({ meta, limits } as unknown as TaskContext);
  });
});
