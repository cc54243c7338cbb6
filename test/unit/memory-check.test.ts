/**
 * A replica's memory against its own store (src/meta/memory-check.ts, MetaTable.checkMemory): after
 * any history of creates, state changes, renames, moves and drops the two are the same, also while
 * entries are applied beside the check; memory changed under the table (a name, a count, a collection,
 * a request ID) is found and named, and secrets are not shown.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '../../raft/prng.js';
import { PendingCollection } from '../../src/meta/collection-table.js';
import { difference } from '../../src/meta/memory-check.js';
import type { MetaIndex } from '../../src/meta/meta-index.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME } from '../../src/meta/model.js';
import type { CollectionModel } from '../../src/meta/model.js';
import { applyDatabases, collection, HISTORY_DBS, OTHER_DB_ID, randomCollectionCommand } from './fixtures/collection-history.js';
import { memoryLevel, metaOver } from './fixtures/memory-catalog.js';

function indexOf(meta: MetaTable): MetaIndex {
  return (meta as unknown as { index: MetaIndex }).index;
}

/** A table after a random history of `steps` commands from `seed` (two databases, five names, request IDs); the next index to apply. */
async function afterHistory(seed: number, steps: number): Promise<{ meta: MetaTable; next: () => Promise<void> }> {
  const meta = await metaOver();
  await applyDatabases(meta);
  const prng = new Prng(seed);
  let index = 2;
  let nextId = 100n;
  const next = async (): Promise<void> => {
    const command = randomCollectionCommand(meta, prng, index, () => nextId++, (r) => (r < 0.97 ? null : { kind: 'tsoWindow', windowMs: BigInt(index) }));
    // Some with a request ID, as client DDL has.
    await meta.apply([prng.nextFloat() < 0.5 ? { kind: 'request', requestId: `r${index}`, ts: BigInt(index), command } : command], index++);
  };
  for (let step = 0; step < steps; step++) await next();
  return { meta, next };
}

async function differences(meta: MetaTable): Promise<readonly string[]> {
  const check = meta.checkMemory();
  expect(check, 'no check under way').to.not.equal(null);
  return (await check!).differences;
}

describe('memory against the store (replica checks)', () => {
  it('is the same after random histories, also with entries applied beside the check', async function () {
    this.timeout(60_000);
    const states = new Map<CollectionState, number>();
    for (let seed = 1; seed <= 20; seed++) {
      const { meta, next } = await afterHistory(seed, 200);
      for (const c of HISTORY_DBS.flatMap((db) => meta.collectionsOf(db))) states.set(c.state, (states.get(c.state) ?? 0) + 1);
      expect(await differences(meta), `seed ${seed}`).to.deep.equal([]);
      const check = meta.checkMemory();
      expect(meta.checkMemory(), 'a second check while one is under way starts none').to.equal(null);
      for (let i = 0; i < 30; i++) await next();
      const result = await check!;
      expect(result.differences, `seed ${seed}, applying beside it`).to.deep.equal([]);
      expect(result.appliedIndex).to.be.within(201, meta.appliedIndex);
      await meta.close();
    }
    // The histories leave collections in every state to compare.
    for (const state of [CollectionState.Creating, CollectionState.Created, CollectionState.Dropping]) expect(states.get(state) ?? 0, `collections ${CollectionState[state]}`).to.be.above(20);
  });

  it('a check that starts while a restore runs waits for the request IDs the restore loads again (on LevelDB, where that load takes a while)', async () => {
    const source = await metaOver();
    await applyDatabases(source);
    for (let i = 0; i < 50; i++) {
      const index = source.appliedIndex + 1;
      await source.apply([{ kind: 'request', requestId: `r${i}`, ts: BigInt(index), command: { kind: 'putCollection', ts: BigInt(index), collection: collection(100n + BigInt(i), CollectionState.Created, `c${i}`) } }], index);
    }
    const dir = await mkdtemp(join(tmpdir(), 'memory-check-'));
    try {
      const copy = await MetaTable.open(dir);
      const restoring = copy.restore(await source.snapshot(), source.appliedIndex);
      const check = copy.checkMemory();
      await restoring;
      const result = await check!;
      expect(result.differences).to.deep.equal([]);
      expect(result.appliedIndex).to.equal(source.appliedIndex);
      await copy.close();
    } finally {
      await source.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds a summary of a collection not decoded yet that is not its records\'', async () => {
    const store = memoryLevel();
    const first = await metaOver(store);
    await applyDatabases(first);
    await first.apply([{ kind: 'putCollection', ts: 2n, collection: collection(100n, CollectionState.Created, 'x') }], 2);
    await first.flushed();
    // Loaded again: its collections are pending (decoded when first read).
    const meta = await metaOver(store);
    const pending = indexOf(meta).collections.held(100n) as PendingCollection;
    expect(pending).to.be.instanceOf(PendingCollection);
    Object.assign(pending, { shardsNum: 3 });
    expect(await differences(meta)).to.deep.equal(['collections[100] summary.shardsNum: 3 in memory, 1 in its records']);
    await meta.close();
  });

  it('finds a name, a count, a collection and a request ID changed in memory, and names each', async () => {
    const { meta } = await afterHistory(3, 200);
    const index = indexOf(meta);
    await meta.apply([{ kind: 'request', requestId: 'create-z', ts: 500n, command: { kind: 'putCollection', ts: 500n, collection: collection(5000n, CollectionState.Created, 'z', OTHER_DB_ID) } }], meta.appliedIndex + 1);
    const created = meta.collectionByName(OTHER_DB_ID, 'z') as CollectionModel;
    expect(created.state).to.equal(CollectionState.Created);
    index.names.get(created.dbID)?.set(created.name, created.collectionID + 1000n);
    expect(await differences(meta)).to.deep.equal([`names[${created.dbID}][${JSON.stringify(created.name)}]: collection ${created.collectionID + 1000n} in memory, ${created.collectionID} in the store`]);
    index.names.get(created.dbID)?.set(created.name, created.collectionID);

    index.replaceCollection({ ...created, shardsNum: 9 });
    (index as unknown as { capacityUsed: number }).capacityUsed += 1;
    const [request] = [...index.requests];
    index.requests.delete(request![0]);
    const found = await differences(meta);
    expect(found).to.deep.equal([
      `derived.capacityUsed: ${index.generalCapacityUsed()} in memory, ${index.generalCapacityUsed() - 1} in the store`,
      `collections[${created.collectionID}].shardsNum: 9 in memory, 1 in the store`,
      `requests[${JSON.stringify(request![0])}]: not in memory, recorded at ${request![1]} in the store`,
    ]);
    await meta.close();
  });

  it('does not count which of the Dropping collections of a name the name points at', async () => {
    const meta = await metaOver();
    await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], 1);
    await meta.apply([{ kind: 'putCollection', ts: 2n, collection: collection(100n, CollectionState.Dropping, 'x') }], 2);
    await meta.apply([{ kind: 'putCollection', ts: 3n, collection: collection(101n, CollectionState.Dropping, 'x') }], 3);
    const names = indexOf(meta).names.get(DEFAULT_DB_ID);
    // Either may hold it (a load gives it to one of them); no read or precondition depends on which.
    names?.set('x', names.get('x') === 100n ? 101n : 100n);
    expect(await differences(meta)).to.deep.equal([]);
    // A Created one's name is another matter.
    await meta.apply([{ kind: 'putCollection', ts: 4n, collection: collection(101n, CollectionState.Created, 'x') }], 4);
    names?.set('x', 100n);
    expect(await differences(meta)).to.deep.equal(['names[1]["x"]: collection 100 in memory, 101 in the store']);
    await meta.close();
  });

  it('compares values as the catalog stores them: maps in any order, an undefined member as none, secrets not shown', () => {
    expect(difference(new Map([[1n, { a: 1 }], [2n, { a: 2 }]]), new Map([[2n, { a: 2 }], [1n, { a: 1 }]]), 'm')).to.equal(null);
    expect(difference({ a: 1, b: undefined }, { a: 1 }, 'o')).to.equal(null);
    expect(difference(new Set(['x', 'y']), new Set(['y', 'x']), 's')).to.equal(null);
    expect(difference(new Map([[1n, { a: [1n, 2n] }]]), new Map([[1n, { a: [1n, 3n] }]]), 'm')).to.equal('m[1n].a[1]: 2n in memory, 3n in the store');
    expect(difference(new Map([['k', 1]]), new Map([['j', 1]]), 'm')).to.equal('m["k"]: in memory, not in the store');
    expect(difference(new Set(['x']), new Set(['x', 'y']), 's')).to.equal('s["y"]: in the store, not in memory');
    expect(difference([1, 2], [1], 'list')).to.equal('list: 2 items in memory, 1 in the store');
    expect(difference({ credentials: [['u', { hash: 'aaaa' }]] }, { credentials: [['u', { hash: 'bbbb' }]] }, 'rbac')).to.equal('rbac.credentials[0][1].hash: differs (not shown: a secret)');
    expect(difference('x'.repeat(200), 'y', 'long')).to.match(/^long: "x{76}\.\.\. in memory, "y" in the store$/);
  });
});
