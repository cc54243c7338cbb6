// gencat.mjs ROOT DIR N: a catalog of N collections (4 databases, 2 shards, 3 user fields + 2 system), made by MetaTable.apply
const [root, dir, nArg] = process.argv.slice(2);
const N = Number(nArg ?? 200000);
const { MetaTable } = await import(`${root}/dist/src/meta/meta-table.js`);
const meta = await MetaTable.open(dir);
const f = (id, name, dt, pk, tp = []) => ({ fieldID: BigInt(id), name, is_primary_key: pk, description: '', data_type: dt, type_params: tp, index_params: [], autoID: false, element_type: 0, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false });
const fields = [f(100, 'id', 5, true), f(101, 'vector', 101, false, [{ key: 'dim', value: '8' }]), f(102, 'text', 21, false, [{ key: 'max_length', value: '64' }]), f(0, 'RowID', 5, false), f(1, 'Timestamp', 5, false)];
let index = 1; let ts = 1000n << 18n; let id = 450000000000000000n;
const dbs = [1n, 2n, 3n, 4n];
const cmds = [];
for (const db of dbs) cmds.push({ kind: 'putDatabase', ts: ts++, database: { id: db, name: db === 1n ? "default" : `db${db}`, state: 1, createdTimeNs: 0n, properties: [] } });
await meta.apply(cmds, index++);
const t0 = Date.now();
for (let i = 0; i < N; i += 500) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + 500); j++) {
    const cid = id++; const pid = id++; const t = ts++;
    const db = dbs[j % 4];
    const pch = [`by-dev-rootcoord-dml_${j % 16}`, `by-dev-rootcoord-dml_${(j + 1) % 16}`];
    const c = { collectionID: cid, dbID: db, name: `c${j}`, description: '', autoID: false, fields, partitions: [{ partitionID: pid, partitionName: '_default', createdTs: t, collectionID: cid, state: 0 }],
      virtualChannelNames: pch.map((p, k) => `${p}_${cid}v${k}`), physicalChannelNames: pch, shardsNum: 2, consistencyLevel: 2, createTs: t, properties: [], enableDynamicField: false, state: 1, updateTs: t, numPartitionsHint: 0n };
    batch.push({ kind: 'request', requestId: `r${j}`, ts: t, command: { kind: 'putCollection', ts: t, collection: c } });
    batch.push({ kind: 'setCollectionState', ts: ts++, collectionID: cid, state: 0 });
  }
  await meta.apply(batch, index++);
  if (i % 20000 === 0) console.log(i, Date.now() - t0, 'ms');
}
await meta.persist?.();
await meta.close();
console.log('done', N, Date.now() - t0, 'ms');
