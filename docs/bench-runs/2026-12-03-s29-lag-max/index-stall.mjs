// index-stall.mjs ROOT N DBS: the MetaIndex of the build at ROOT alone through a fill of N collections
// over DBS databases (each indexed Creating, then updated to Created: unindexCollection then
// indexCollection, as putCollection does); every index and update timed: the longest and where.
// (A first form compared an update in place, MODE=new, a method not kept.)
const [root, nS, dbsS] = process.argv.slice(2);
const mode = 'old';
const n = Number(nS ?? 200000), dbs = Number(dbsS ?? 4);
const { MetaIndex } = await import(`${root}/dist/src/meta/meta-index.js`);
const { CollectionState, ConsistencyLevel } = await import(`${root}/dist/src/meta/model.js`);
const index = new MetaIndex();
const col = (id, dbID, state) => ({ collectionID: id, dbID, name: `c${id}`, description: '', autoID: false, fields: [], partitions: [], virtualChannelNames: [], physicalChannelNames: ['ch1'], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded, createTs: 1n, properties: [], enableDynamicField: false, state, updateTs: 1n, numPartitionsHint: 0n });
const slow = [];
let total = 0;
// The models made first, so that the timed loop allocates little but what the index does.
const models = Array.from({ length: n }, (_v, i) => {
  const id = 460000000000000000n + BigInt(i) * 3n;
  const db = BigInt(1 + (i % dbs));
  return [col(id, db, CollectionState.Creating), col(id, db, CollectionState.Created)];
});
for (let i = 0; i < n; i++) {
  const [creating, created] = models[i];
  const t0 = performance.now();
  index.indexCollection(creating);
  const t1 = performance.now();
  index.unindexCollection(creating);
  index.indexCollection(created);
  const t2 = performance.now();
  total += t2 - t0;
  if (t1 - t0 > 5) slow.push([i, 'index', +(t1 - t0).toFixed(1)]);
  if (t2 - t1 > 5) slow.push([i, 'update', +(t2 - t1).toFixed(1)]);
}
console.log(JSON.stringify({ root, n, dbs, totalMs: Math.round(total), over5ms: slow.length, stalls: slow.map(([i, k, d]) => `${k} ${d}ms@${i}`).join(' ') }));
