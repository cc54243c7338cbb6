const A = await import('/work/main/dist/src/meta/record-codec.js');
const B = await import('/work/wt/b/dist/src/meta/record-codec.js');
const recs = [];
for (let i = 0; i < 200000; i++) recs.push(A.encodePartition({ partitionID: 470840858022248456n + BigInt(i), partitionName: '_default', createdTs: 470840858116096001n + BigInt(i), collectionID: 470840858022248455n + BigInt(i), state: 1 }));
for (let round = 0; round < 5; round++) for (const [n, m] of [['A', A], ['B', B]]) {
  const t0 = performance.now(); let s = 0;
  for (const r of recs) s += m.partitionStateOf(r);
  console.log(n, (performance.now() - t0).toFixed(1), 'ms', s);
}
