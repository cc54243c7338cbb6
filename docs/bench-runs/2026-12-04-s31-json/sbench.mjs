import { stringify, parse } from '/work/main/dist/src/common/bigint-json.js';
const ts = 463557385928343552n;
const fieldTexts = [0,1,2].map(i => stringify({ fieldID: 100n + BigInt(i), name: 'f' + i, is_primary_key: i === 0, description: '', data_type: 5, type_params: i===2?[{key:'dim',value:'8'}]:[], index_params: [], autoID: false, state: 0, element_type: 0, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false }));
const cmd = { kind: 'request', requestId: 'abc-123-def', ts, command: { kind: 'putCollection', ts, collection: {
  collectionID: 463557385928343553n, dbID: 1n, name: 'collection_12345',
  partitions: [{ partitionID: 463557385928343554n, partitionName: '_default', createdTs: ts, collectionID: 463557385928343553n, state: 1 }],
  virtualChannelNames: ['rootcoord-dml_0_463557385928343553v0', 'rootcoord-dml_1_463557385928343553v1'], physicalChannelNames: ['rootcoord-dml_0','rootcoord-dml_1'],
  createTs: ts, state: 1, updateTs: ts, numPartitionsHint: 0n, description: 'a collection', autoID: false, fields: fieldTexts, shardsNum: 2, consistencyLevel: 2, properties: [], enableDynamicField: false } } };
const part = { kind: 'request', requestId: 'abc-124', ts, command: { kind: 'putPartition', ts, collectionID: 463557385928343553n, partition: { partitionID: 463557385928343555n, partitionName: 'p_1', createdTs: ts, collectionID: 463557385928343553n, state: 1 } } };
const impls = { current: stringify };
if (process.argv[2]) { const m = await import(process.argv[2]); impls.next = m.stringify; }
for (const [name, f] of Object.entries(impls)) for (const [cn, c] of [['putCollection', cmd], ['putPartition', part]]) {
  if (f(c) !== stringify(c)) throw new Error('differs ' + name + cn);
  const N = 200000; for (let i = 0; i < 20000; i++) f(c);
  const times = [];
  for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) f(c); times.push(Number(process.hrtime.bigint() - t) / N / 1000); }
  times.sort((a,b)=>a-b); console.log(name, cn, 'us/op median', times[2].toFixed(2), 'len', f(c).length);
}
const t = stringify(cmd); const N = 100000; const times=[];
for (let r=0;r<5;r++){ const s=process.hrtime.bigint(); for (let i=0;i<N;i++) parse(t); times.push(Number(process.hrtime.bigint()-s)/N/1000);} times.sort((a,b)=>a-b); console.log('parse putCollection us', times[2].toFixed(2));
