/**
 * The MetaTable keeps each collection's number of Created partitions up to date as commands apply, so
 * capacity checks (CreatePartition, CreateCollection) do not scan every partition of every collection.
 * The kept count must always equal a scan, through creates, state changes, drops, renames and restores.
 */
import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { Prng } from '../../raft/prng.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, PartitionModel } from '../../src/meta/model.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';
import { generalCapacityUsed } from '../../src/ddl/lookups.js';

async function table(): Promise<MetaTable> {
  return MetaTable.over(VersionedStore.over(new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' })));
}

function collection(id: bigint, state: CollectionState, shardsNum: number, name = `c${id}`): CollectionModel {
  return {
    collectionID: id, dbID: DEFAULT_DB_ID, name, description: '', autoID: false, fields: [], partitions: [],
    virtualChannelNames: [], physicalChannelNames: [], shardsNum, consistencyLevel: ConsistencyLevel.Bounded,
    createTs: 1n, properties: [], enableDynamicField: false, state, updateTs: 1n, numPartitionsHint: 0n,
  };
}

const byId = (a: [bigint, number], b: [bigint, number]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function scanned(meta: MetaTable): { perCollection: Array<[bigint, number]>; capacity: number } {
  const perCollection = [...meta.collections.values()].map((c) => [c.collectionID, c.partitions.filter((p) => p.state === PartitionState.Created).length] as [bigint, number]).sort(byId);
  let capacity = 0;
  for (const c of meta.collections.values()) {
    if (c.state === CollectionState.Created) capacity += c.partitions.filter((p) => p.state === PartitionState.Created).length * c.shardsNum;
  }
  return { perCollection, capacity };
}

function kept(meta: MetaTable): { perCollection: Array<[bigint, number]>; capacity: number } {
  return { perCollection: [...meta.collections.keys()].map((id) => [id, meta.createdPartitionCount(id)] as [bigint, number]).sort(byId), capacity: generalCapacityUsed(meta) };
}

describe('MetaTable partition counts', () => {
  it('equal a scan after every command of a random history, and after a restore', async () => {
    const prng = new Prng(4242);
    const meta = await table();
    let ts = 10n;
    let index = 1;
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], index);
    const partitionStates = [PartitionState.Created, PartitionState.Creating, PartitionState.Dropping];
    for (let step = 0; step < 600; step++) {
      const ids = [...meta.collections.keys()];
      const pick = prng.nextFloat();
      let command: MetaCommand;
      const target = ids.length === 0 ? null : (ids[Math.floor(prng.nextFloat() * ids.length)] as bigint);
      const current = target === null ? undefined : meta.collections.get(target);
      if (current === undefined || pick < 0.1) {
        const id = BigInt(100 + step);
        command = { kind: 'putCollection', ts, collection: collection(id, prng.nextFloat() < 0.8 ? CollectionState.Created : CollectionState.Creating, 1 + Math.floor(prng.nextFloat() * 4)) };
      } else if (pick < 0.55) {
        const existing = current.partitions[Math.floor(prng.nextFloat() * (current.partitions.length + 1))];
        const partition: PartitionModel = existing !== undefined && prng.nextFloat() < 0.5
          ? { ...existing, state: partitionStates[Math.floor(prng.nextFloat() * 3)] as PartitionState }
          : { partitionID: BigInt(10_000 + step), partitionName: `p${step % 40}`, createdTs: ts, collectionID: current.collectionID, state: partitionStates[Math.floor(prng.nextFloat() * 3)] as PartitionState };
        command = { kind: 'putPartition', ts, collectionID: current.collectionID, partition };
      } else if (pick < 0.75) {
        const existing = current.partitions[Math.floor(prng.nextFloat() * current.partitions.length)];
        command = { kind: 'deletePartition', ts, collectionID: current.collectionID, partitionID: existing?.partitionID ?? 1n };
      } else if (pick < 0.85) {
        // A rename or state change rewrites the collection; its partitions stay.
        const states = [CollectionState.Created, CollectionState.Creating, CollectionState.Dropping];
        command = { kind: 'putCollection', ts, collection: { ...current, name: `${current.name}r`, state: states[Math.floor(prng.nextFloat() * 3)] as CollectionState } };
      } else if (pick < 0.9) {
        command = { kind: 'deleteCollection', ts, collectionID: current.collectionID };
      } else {
        command = { kind: 'tsoWindow', windowMs: ts };
      }
      ts += 1n;
      await meta.apply([command], ++index);
      expect(kept(meta), `after step ${step} (${command.kind})`).to.deep.equal(scanned(meta));
    }
    expect(scanned(meta).capacity).to.be.greaterThan(0);
    const copy = await table();
    await copy.restore(await meta.snapshot(), index);
    expect(kept(copy)).to.deep.equal(scanned(meta));
  });
});
