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
import { CheckPart, CheckRounds, difference } from '../../src/meta/memory-check.js';
import type { MemoryCheck } from '../../src/meta/memory-check.js';
import type { MetaIndex } from '../../src/meta/meta-index.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { ReplicaChecks } from '../../src/meta/replica-checks.js';
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

/** A table after a history, compared a part of about 10 at each check, with a Created collection's description changed in memory (`changed`: as stored). */
async function withCollectionChanged(): Promise<{ meta: MetaTable; index: MetaIndex; changed: CollectionModel }> {
  const { meta } = await afterHistory(4, 200);
  meta.memoryCheckPart = 10;
  const index = indexOf(meta);
  const changed = HISTORY_DBS.flatMap((db) => meta.collectionsOf(db)).find((c) => c.state === CollectionState.Created) as CollectionModel;
  index.replaceCollection({ ...changed, description: 'changed in memory' });
  return { meta, index, changed };
}

async function checked(meta: MetaTable): Promise<MemoryCheck> {
  const check = meta.checkMemory();
  expect(check, 'no check under way').to.not.equal(null);
  return check!;
}

async function differences(meta: MetaTable): Promise<readonly string[]> {
  return (await checked(meta)).differences;
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

  it('compares a big catalog a part at each check: the parts in turn cover it, each the same after random histories, also with entries applied beside it', async function () {
    this.timeout(60_000);
    for (let seed = 21; seed <= 25; seed++) {
      const { meta, next } = await afterHistory(seed, 200);
      meta.memoryCheckPart = 10;
      const first = await checked(meta);
      expect(first.parts, `seed ${seed}: parts`).to.be.above(3);
      expect(first.differences, `seed ${seed}, part ${first.part}`).to.deep.equal([]);
      const parts = [first.part];
      for (let i = 1; i < first.parts; i++) {
        const result = await checked(meta);
        expect(result.differences, `seed ${seed}, part ${result.part}`).to.deep.equal([]);
        expect(result.parts).to.equal(first.parts);
        parts.push(result.part);
      }
      expect(parts.sort((a, b) => a - b), 'each part once').to.deep.equal([...Array(first.parts).keys()]);
      for (let i = 0; i < 3; i++) {
        const check = meta.checkMemory();
        for (let j = 0; j < 10; j++) await next();
        const result = await check!;
        expect(result.differences, `seed ${seed}, part ${result.part}, applying beside it`).to.deep.equal([]);
      }
      await meta.close();
    }
  });

  it('finds a collection or a request ID changed in memory at the check of its part only, and a count at every check', async () => {
    const { meta, index, changed } = await withCollectionChanged();
    const [request] = [...index.requests];
    index.requests.delete(request![0]);
    const found = new Map<number, readonly string[]>();
    let parts = 0;
    do {
      const result = await checked(meta);
      found.set(result.part, result.differences);
      parts = result.parts;
    } while (found.size < parts);
    expect(parts).to.be.above(3);
    const collectionPart = [...Array(parts).keys()].find((part) => new CheckPart(part, parts).hasCollection(changed.collectionID));
    const requestPart = [...Array(parts).keys()].find((part) => new CheckPart(part, parts).hasRequest(request![0]));
    expect([collectionPart, requestPart]).to.not.include(undefined);
    for (const [part, differences] of found) {
      const expected: string[] = [];
      if (part === collectionPart) expected.push(`collections[${changed.collectionID}].description: "changed in memory" in memory, ${JSON.stringify(changed.description)} in the store`);
      if (part === requestPart) expected.push(`requests[${JSON.stringify(request![0])}]: not in memory, recorded at ${request![1]} in the store`);
      expect(differences, `part ${part}`).to.deep.equal(expected);
    }
    // What every collection makes (a count kept for DDL) is compared whole at every check.
    (index as unknown as { capacityUsed: number }).capacityUsed += 1;
    for (let i = 0; i < 2; i++) {
      const result = await checked(meta);
      expect(result.differences[0], `part ${result.part}`).to.equal(`derived.capacityUsed: ${index.generalCapacityUsed()} in memory, ${index.generalCapacityUsed() - 1} in the store`);
    }
    await meta.close();
  });

  it("keeps rootcoord_replica_memory_differs at 1 while memory differs: a check of another part does not clear it, a round of parts found the same does", async () => {
    const { meta, index, changed } = await withCollectionChanged();
    const checks = new ReplicaChecks(2, () => undefined);
    const check = async (): Promise<{ result: string | null; differs: boolean; parts: number }> => {
      const started = meta.checkMemory();
      const { parts } = await started!;
      return { result: await checks.memoryChecked(started), differs: checks.memoryDiffers, parts };
    };
    let found = await check();
    for (let i = 1; i < found.parts && found.result !== 'different'; i++) found = await check();
    expect(found).to.include({ result: 'different', differs: true });
    const { parts } = found;
    expect(parts).to.be.above(3);
    // The other parts' checks find theirs the same; the damaged part's, a round later, finds it again.
    const round: Array<[string | null, boolean]> = [];
    for (let i = 0; i < parts; i++) {
      const { result, differs } = await check();
      round.push([result, differs]);
    }
    expect(round, JSON.stringify(round)).to.deep.equal([...Array<[string, boolean]>(parts - 1).fill(['same', true]), ['different', true]]);
    // Put right (as a later command's model would replace it): cleared once a round of parts finds it the same.
    index.replaceCollection(changed);
    const after: boolean[] = [];
    for (let i = 0; i < parts; i++) after.push((await check()).differs);
    expect(after, JSON.stringify(after)).to.deep.equal([...Array<boolean>(parts - 1).fill(true), false]);
    await meta.close();
  });

  it('takes the parts in turn from the applied index of the first check, one round for each number of parts', () => {
    const rounds = new CheckRounds();
    const taken = (size: number, appliedIndex: number): [number, number] => {
      const part = rounds.take(size, 25_000, appliedIndex);
      return [part.part, part.parts];
    };
    expect([taken(200_000, 13), taken(200_000, 99), taken(225_000, 13), taken(200_000, 7), taken(10, 5)]).to.deep.equal([
      [5, 8],
      [6, 8],
      [4, 9],
      [7, 8],
      [0, 1],
    ]);
  });

  it('parts a catalog evenly, also IDs allocated in strides', () => {
    for (const stride of [1n, 2n, 8n, 1000n]) {
      const counts = new Array<number>(8).fill(0);
      for (let i = 0n; i < 8000n; i++) {
        const id = 449_000_000_000_000_000n + i * stride;
        const inParts = [...counts.keys()].filter((part) => new CheckPart(part, 8).hasCollection(id));
        expect(inParts, `id ${id}`).to.have.length(1);
        const part = inParts[0] as number;
        counts[part] = (counts[part] ?? 0) + 1;
      }
      for (const count of counts) expect(count, `stride ${stride}: ${counts.join(', ')}`).to.be.within(800, 1200);
    }
    const requests = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      const part = [...requests.keys()].find((p) => new CheckPart(p, 8).hasRequest(`req-${i}`)) as number;
      requests[part] = (requests[part] ?? 0) + 1;
    }
    for (const count of requests) expect(count, requests.join(', ')).to.be.within(800, 1200);
    expect(CheckPart.partsOf(25_000, 25_000)).to.equal(1);
    expect(CheckPart.partsOf(0, 25_000)).to.equal(1);
    expect(CheckPart.partsOf(200_000, 25_000)).to.equal(8);
    expect(CheckPart.partsOf(200_000, 0), 'replicaMemoryCheckPart=0: the whole catalog').to.equal(1);
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
