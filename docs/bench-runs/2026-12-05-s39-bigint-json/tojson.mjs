import { PerformanceObserver, constants } from 'node:perf_hooks';
const mod = await import('/work/main/dist/src/common/bigint-json.js');
const field = { fieldID: 101, name: 'vector', isPrimaryKey: false, description: 'a field', dataType: 101, typeParams: [{ key: 'dim', value: '128' }], indexParams: [], autoID: false, state: 0, elementType: 0, defaultValue: null, isDynamic: false, isPartitionKey: false, isClusteringKey: false, nullable: false, isFunctionOutput: false };
const fields = [0,1,2,3,4].map(i => ({ ...field, fieldID: 100 + i, name: 'f' + i }));
const command = { kind: 'putCollection', collection: { collectionID: 470840858022248455n, dbID: 1n, name: 'c_12345', description: '', autoID: false, fields, shardsNum: 2, virtualChannelNames: ['by-dev-rootcoord-dml_0_470840858022248455v0', 'by-dev-rootcoord-dml_1_470840858022248455v1'], physicalChannelNames: ['by-dev-rootcoord-dml_0', 'by-dev-rootcoord-dml_1'], startPositions: [], consistencyLevel: 2, state: 1, properties: [], createTime: 445566778899001122n, partitions: [{ partitionID: 470840858022248456n, partitionName: '_default', partitionCreatedTimestamp: 445566778899001122n, collectionID: 470840858022248455n, state: 1 }], enableDynamicField: false, updateTimestamp: 445566778899001122n }, ts: 445566778899001122n };
const mode = process.argv[2], which = process.argv[3];
const v = which === 'field' ? field : command;
let f;
if (mode === 'walk') f = mod.stringify;
else { Object.defineProperty(BigInt.prototype, 'toJSON', { value: function () { return { $bigint: this.toString() }; }, writable: true, configurable: true }); f = (x) => JSON.stringify(x); }
if (f(v) !== mod.stringify.call(null, v) && mode === 'walk') throw new Error('x');
let minor = 0; new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++; }).observe({ entryTypes: ['gc'] });
const N = 300000; let len = 0;
for (let i = 0; i < 50000; i++) len += f(v).length;
const t0 = performance.now(); const m0 = minor;
for (let i = 0; i < N; i++) len += f(v).length;
const t1 = performance.now();
await new Promise((r) => setTimeout(r, 50));
console.log(mode, which, 'us/call', ((t1 - t0) * 1000 / N).toFixed(2), 'KB/call ~', ((minor - m0) * 1024 / N).toFixed(2), 'len', f(v).length);
