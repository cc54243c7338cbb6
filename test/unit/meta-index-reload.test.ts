/**
 * The catalog's in-memory index, as commands keep it up to date, resolves what a reload of the same
 * catalog resolves (a restarted replica must decide every precondition as the others do): the names
 * that Created or Creating collections hold, each database's collections, the counts kept per database
 * and channel, through creates, state changes, renames, moves to another database and drops.
 */
import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { Prng } from '../../raft/prng.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState } from '../../src/meta/model.js';
import type { CollectionModel } from '../../src/meta/model.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';
import { applyDatabases, HISTORY_DBS, HISTORY_NAMES, randomCollectionCommand } from './fixtures/collection-history.js';

async function withDatabases(store: VersionedStore): Promise<MetaTable> {
  const meta = await MetaTable.over(store);
  await applyDatabases(meta);
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
  return HISTORY_DBS.map((db) => ({
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
    const names = HISTORY_NAMES;
    for (let seed = 1; seed <= 30; seed++) {
      const prng = new Prng(seed);
      const store = VersionedStore.over(new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' }));
      const meta = await withDatabases(store);
      let index = 2;
      let nextId = 100n;
      for (let step = 0; step < 300; step++) {
        const command = randomCollectionCommand(meta, prng, index, () => nextId++);
        await meta.apply([command], index++);
      }
      await meta.flushed();
      const reloaded = await MetaTable.over(store);
      expect(view(meta, names), `seed ${seed}`).to.deep.equal(view(reloaded, names));
    }
  });
});
