// node --max-semi-space-size=1 --min-semi-space-size=1 bigint-json-bench.mjs BUILD MODE WHAT
// MODE: walk (BUILD's stringify), tojson (JSON.stringify with a BigInt.prototype.toJSON) or parse
// (BUILD's parse of WHAT's text); WHAT: field or command (a CreateCollection's).
// Prints the time per call (us) and the garbage per call (KB, from the count of scavenges: with 1 MB
// semi-spaces each one follows about 1 MB allocated).
import { PerformanceObserver, constants } from 'node:perf_hooks';
const [build, mode, what] = process.argv.slice(2);
const mod = await import(`${build}/dist/src/common/bigint-json.js`);
const field = { fieldID: 101, name: 'vector', isPrimaryKey: false, description: 'a field', dataType: 101, typeParams: [{ key: 'dim', value: '128' }], indexParams: [], autoID: false, state: 0, elementType: 0, defaultValue: null, isDynamic: false, isPartitionKey: false, isClusteringKey: false, nullable: false, isFunctionOutput: false };
const fields = [0, 1, 2, 3, 4].map((i) => ({ ...field, fieldID: 100 + i, name: 'f' + i }));
const command = { kind: 'putCollection', collection: { collectionID: 470840858022248455n, dbID: 1n, name: 'c_12345', description: '', autoID: false, fields, shardsNum: 2, virtualChannelNames: ['by-dev-rootcoord-dml_0_470840858022248455v0', 'by-dev-rootcoord-dml_1_470840858022248455v1'], physicalChannelNames: ['by-dev-rootcoord-dml_0', 'by-dev-rootcoord-dml_1'], startPositions: [], consistencyLevel: 2, state: 1, properties: [], createTime: 445566778899001122n, partitions: [{ partitionID: 470840858022248456n, partitionName: '_default', partitionCreatedTimestamp: 445566778899001122n, collectionID: 470840858022248455n, state: 1 }], enableDynamicField: false, updateTimestamp: 445566778899001122n }, ts: 445566778899001122n };
const value = what === 'field' ? field : command;
let call;
if (mode === 'walk') call = () => mod.stringify(value);
else if (mode === 'parse') {
  const text = mod.stringify(value);
  call = () => mod.parse(text);
} else if (mode === 'tojson') {
  Object.defineProperty(BigInt.prototype, 'toJSON', { value: function () { return { $bigint: this.toString() }; }, writable: true, configurable: true });
  if (JSON.stringify(value) !== mod.stringify(value)) throw new Error('JSON.stringify with toJSON does not write what stringify does');
  call = () => JSON.stringify(value);
} else throw new Error(`unknown mode ${mode}`);
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
}).observe({ entryTypes: ['gc'] });
for (let i = 0; i < 50_000; i++) call();
const n = 300_000;
const before = scavenges;
const started = performance.now();
for (let i = 0; i < n; i++) call();
const ms = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(mode, what, 'us/call', ((ms * 1000) / n).toFixed(2), 'KB/call ~', (((scavenges - before) * 1024) / n).toFixed(2));
