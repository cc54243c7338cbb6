/**
 * A catalog GC command in the middle of an apply batch flushes the writes of the entries before it
 * first (GC reads the store). That flush must carry the applied index of the last entry it covers: a
 * crash right after it, then a replay from the stored index, applies nothing twice and skips nothing.
 */
import { expect } from 'chai';
import type { MetaCommand } from '../../src/meta/commands.js';
import type { ApplyResult } from '../../src/meta/meta-table.js';
import { DatabaseState } from '../../src/meta/model.js';
import { memoryLevel, metaOver } from './fixtures/memory-catalog.js';

const database = (id: bigint, ts: bigint, requestId: string): MetaCommand => ({
  kind: 'request',
  requestId,
  ts,
  command: { kind: 'putDatabase', ts, database: { id, name: `db${id}`, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } },
});

// Entries 1-2 in one batch; entries 3-7 in a second one with the GC at 5 (after 3 and 4).
const first: MetaCommand[] = [database(1n, 10n, 'r1'), { kind: 'tsoWindow', windowMs: 100n }];
const second: Array<MetaCommand | null> = [database(2n, 20n, 'r2'), { kind: 'idWindow', upTo: 1000n }, { kind: 'gcVersions', versionsBeforeTs: 15n, tombstonesBeforeTs: 0n }, database(3n, 30n, 'r3'), null];

describe('MetaTable apply with a catalog GC in mid-batch', () => {
  it('a crash after the mid-batch flush: the stored applied index is that of the last entry flushed, and a replay applies nothing twice', async () => {
    const reference = await metaOver();
    await reference.apply(first, 2);
    await reference.apply(second, 7);

    const db = memoryLevel();
    const crashed = await metaOver(db);
    await crashed.apply(first, 2);
    await crashed.flushed();
    await crashed.apply(second, 7);
    crashed.abandon(); // the writes after the GC had not reached LevelDB

    const reopened = await metaOver(db);
    expect(reopened.appliedIndex).to.equal(4);
    expect(reopened.databaseByName('db2')?.id).to.equal(2n);
    expect(reopened.idUpTo).to.equal(1000n);
    // Raft replays from the stored index + 1: entries 5 to 7.
    const results: ApplyResult[] = await reopened.apply(second.slice(reopened.appliedIndex - 2), 7);
    expect(results.every((r) => r.ok), JSON.stringify(results)).to.equal(true);
    expect(reopened.appliedIndex).to.equal(7);
    expect(await reopened.digest()).to.equal(await reference.digest());
  });

  it('a GC first in its batch flushes nothing new, and claims no index beyond what was written', async () => {
    const db = memoryLevel();
    const table = await metaOver(db);
    await table.apply(first, 2);
    await table.apply([{ kind: 'gcVersions', versionsBeforeTs: 15n, tombstonesBeforeTs: 0n }, database(2n, 20n, 'r2')], 4);
    table.abandon();
    const reopened = await metaOver(db);
    expect(reopened.appliedIndex).to.equal(2);
    expect(reopened.databaseByName('db1')?.id).to.equal(1n);
    expect(reopened.databaseByName('db2')).to.equal(undefined);
  });
});
