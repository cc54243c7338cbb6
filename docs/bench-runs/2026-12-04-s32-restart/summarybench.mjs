const m = await import('/work/main/dist/src/meta/record-codec.js');
const A = await import('/work/wt/a/dist/src/meta/record-codec.js');
const base = { collectionID: 470840858022248455n, dbID: 470840858022240001n, name: 'c123456', description: '', autoID: false, shardsNum: 2, consistencyLevel: 2, properties: [], enableDynamicField: false, virtualChannelNames: ['by-dev-rootcoord-dml_0_470840858022248455v0', 'by-dev-rootcoord-dml_1_470840858022248455v1'], physicalChannelNames: ['by-dev-rootcoord-dml_0', 'by-dev-rootcoord-dml_1'], createTs: 470840858116096001n, state: 1, updateTs: 470840858116096001n, numPartitionsHint: 0n };
// stack check: long escaped strings up to the bound
for (const d of ['\u00e9'.repeat(8000), '\n'.repeat(4000), 'a'.repeat(8000)]) { const t = m.encodeCollection({ ...base, description: d }); console.log(t.length, m.collectionSummary(t)?.name); }
const t8 = m.encodeCollection({ ...base, properties: Array.from({ length: 400 }, (_, i) => ({ key: 'k' + i, value: 'v' })) }); console.log(t8.length, m.collectionSummary(t8)?.name);
const recs = []; for (let i = 0; i < 200000; i++) recs.push(m.encodeCollection({ ...base, collectionID: base.collectionID + BigInt(i), name: 'c' + i }));
for (let r = 0; r < 5; r++) for (const [n, mod] of [['old', A], ['new', m]]) { const t0 = performance.now(); let s = 0; for (const x of recs) s += mod.collectionSummary(x).shardsNum; console.log(n, (performance.now() - t0).toFixed(1), s); }
