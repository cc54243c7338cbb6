// putPartition's cost by the collection's partition count: apply putPartition commands (as decoded from their entries) to a MetaTable over memory-level
import { MemoryLevel } from 'memory-level';
const R = process.argv[2] ?? '/work/main';
const { MetaTable } = await import(`${R}/dist/src/meta/meta-table.js`);
const { VersionedStore } = await import(`${R}/dist/src/meta/versioned-store.js`);
const { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } = await import(`${R}/dist/src/meta/model.js`);
const { encodeCommand, decodeCommand } = await import(`${R}/dist/src/meta/commands.js`);
const meta = await MetaTable.over(VersionedStore.over(new MemoryLevel({ keyEncoding: 'utf8', valueEncoding: 'utf8' })));
let index = 1;
await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], index++);
const base = 449_000_000_000_000_000n;
const cid = base + 1n;
await meta.apply([{ kind: 'putCollection', ts: 2n, collection: { collectionID: cid, dbID: DEFAULT_DB_ID, name: 'c', description: '', autoID: false, fields: [], partitions: [{ partitionID: base + 2n, partitionName: '_default', createdTs: 2n, collectionID: cid, state: PartitionState.Created }], virtualChannelNames: [], physicalChannelNames: [], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded, createTs: 2n, properties: [], enableDynamicField: false, state: CollectionState.Created, updateTs: 2n, numPartitionsHint: 0n } }], index++);
const N = Number(process.argv[3] ?? 1000);
const times = [];
for (let i = 0; i < N; i++) {
  const ts = 100n + BigInt(i);
  const cmd = { kind: 'request', requestId: `r${i}`, ts, command: { kind: 'putPartition', ts, collectionID: cid, partition: { partitionID: base + 10n + BigInt(i), partitionName: `bench_${i}`, createdTs: ts, collectionID: cid, state: PartitionState.Created } } };
  const decoded = decodeCommand(encodeCommand(cmd));
  const t = process.hrtime.bigint();
  await meta.apply([decoded], index++);
  times.push(Number(process.hrtime.bigint() - t) / 1000);
}
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))].toFixed(1);
for (const [from, to] of [[0, 100], [100, 300], [300, 500], [500, 1000]]) if (to <= N) console.log(`partitions ${from}-${to}: apply p50 ${q(times.slice(from, to), 0.5)} µs`);
