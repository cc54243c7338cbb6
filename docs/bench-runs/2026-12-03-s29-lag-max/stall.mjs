// stall.mjs ROOT N DBS: apply a fill of N collections over DBS databases to an in-memory MetaTable as
// the leader does (a putCollection Creating, then Created, each its own apply), and time every
// apply: the longest ones and where they were (the index's Map rehashes).
const [root, nS, dbsS] = process.argv.slice(2);
const n = Number(nS ?? 180000), dbs = Number(dbsS ?? 4);
const { MemoryLevel } = await import(`${root}/node_modules/memory-level/index.js`);
const { MetaTable } = await import(`${root}/dist/src/meta/meta-table.js`);
const { VersionedStore } = await import(`${root}/dist/src/meta/versioned-store.js`);
const { CollectionState, ConsistencyLevel, DatabaseState } = await import(`${root}/dist/src/meta/model.js`);
const meta = await MetaTable.over(VersionedStore.over(new MemoryLevel({ keyEncoding: 'utf8', valueEncoding: 'utf8' })));
let index = 1;
const dbIds = Array.from({ length: dbs }, (_v, i) => BigInt(i + 1));
await meta.apply(dbIds.map((id) => ({ kind: 'putDatabase', ts: 1n, database: { id, name: id === 1n ? 'default' : `db${id}`, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } })), index++);
const col = (id, dbID, state) => ({ collectionID: id, dbID, name: `c${id}`, description: '', autoID: false, fields: [], partitions: [], virtualChannelNames: [], physicalChannelNames: ['ch1'], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded, createTs: 1n, properties: [], enableDynamicField: false, state, updateTs: 1n, numPartitionsHint: 0n });
const slow = [];
let total = 0;
for (let i = 0; i < n; i++) {
  const id = 1000n + BigInt(i);
  const db = dbIds[i % dbs];
  for (const state of [CollectionState.Creating, CollectionState.Created]) {
    const t = performance.now();
    await meta.apply([{ kind: 'putCollection', ts: BigInt(index), collection: col(id, db, state) }], index++);
    const d = performance.now() - t;
    total += d;
    if (d > 8) slow.push([i, Math.round(d)]);
  }
  if (i % 5000 === 0) await meta.flushed();
}
slow.sort((a, b) => b[1] - a[1]);
console.log(JSON.stringify({ n, dbs, applyMsTotal: Math.round(total), over8ms: slow.length, worst: slow.slice(0, 8).map(([i, d]) => `${d}ms@${i}`) }));
process.exit(0);
