/**
 * The catalog's in-memory index, as commands keep it up to date, resolves what a reload of the same
 * catalog resolves (a restarted replica must decide every precondition as the others do): the names
 * that Created or Creating collections hold, each database's collections, the counts kept per database
 * and channel, through creates, state changes, renames, moves to another database and drops.
 */
import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { Prng } from '../../raft/prng.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME } from '../../src/meta/model.js';
import type { CollectionModel } from '../../src/meta/model.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';

const OTHER_DB_ID = 7n;

function collection(id: bigint, state: CollectionState, name: string, dbID = DEFAULT_DB_ID): CollectionModel {
  return {
    collectionID: id, dbID, name, description: '', autoID: false, fields: [], partitions: [],
    virtualChannelNames: [], physicalChannelNames: [`ch${id % 3n}`], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded,
    createTs: 1n, properties: [], enableDynamicField: false, state, updateTs: 1n, numPartitionsHint: 0n,
  };
}

async function withDatabases(store: VersionedStore): Promise<MetaTable> {
  const meta = await MetaTable.over(store);
  await meta.apply(
    [
      { kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } },
      { kind: 'putDatabase', ts: 1n, database: { id: OTHER_DB_ID, name: 'other', state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } },
    ],
    1,
  );
  return meta;
}

/**
 * A name's owner when it holds the name (Created or Creating). A name only Dropping collections have
 * may resolve to one of them or to none, and differently after a restart (MetaIndex.names: nothing
 * depends on it).
 */
function holder(c: CollectionModel | undefined): string | null {
  return c !== undefined && (c.state === CollectionState.Created || c.state === CollectionState.Creating) ? String(c.collectionID) : null;
}

/** What the index resolves: each database's names to their owners, its collections, the counts. */
function view(meta: MetaTable, names: readonly string[]): unknown {
  return [DEFAULT_DB_ID, OTHER_DB_ID].map((db) => ({
    owners: names.map((name) => [name, holder(meta.collectionNameOwner(db, name)), holder(meta.collectionByName(db, name))]),
    collections: meta
      .collectionsOf(db)
      .map((c) => `${c.collectionID}:${c.name}:${c.state}`)
      .sort(),
    created: meta.createdCollectionCount(db),
    channels: [...meta.channelReferences()].sort(),
  }));
}

describe('the catalog index against a reload', () => {
  it('resolves names, lists and counts as a reload of the same catalog does, after a random history of creates, state changes, renames, moves and drops', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (let seed = 1; seed <= 30; seed++) {
      const prng = new Prng(seed);
      const store = VersionedStore.over(new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' }));
      const meta = await withDatabases(store);
      let index = 2;
      let nextId = 100n;
      const states = [CollectionState.Creating, CollectionState.Created, CollectionState.Dropping];
      const pick = <T>(items: readonly T[]): T => items[Math.floor(prng.nextFloat() * items.length)] as T;
      for (let step = 0; step < 300; step++) {
        const all = [DEFAULT_DB_ID, OTHER_DB_ID].flatMap((db) => meta.collectionsOf(db));
        const r = prng.nextFloat();
        let command: MetaCommand;
        if (all.length === 0 || r < 0.3) {
          command = { kind: 'putCollection', ts: BigInt(index), collection: collection(nextId++, pick(states), pick(names), pick([DEFAULT_DB_ID, OTHER_DB_ID])) };
        } else if (r < 0.9) {
          const c = pick(all);
          command = { kind: 'putCollection', ts: BigInt(index), collection: collection(c.collectionID, pick(states), prng.nextFloat() < 0.3 ? pick(names) : c.name, prng.nextFloat() < 0.1 ? pick([DEFAULT_DB_ID, OTHER_DB_ID]) : c.dbID) };
        } else {
          command = { kind: 'deleteCollection', ts: BigInt(index), collectionID: pick(all).collectionID };
        }
        await meta.apply([command], index++);
      }
      await meta.flushed();
      const reloaded = await MetaTable.over(store);
      expect(view(meta, names), `seed ${seed}`).to.deep.equal(view(reloaded, names));
    }
  });
});
