// Many marks queued (a replica catching up), then: applies go on? MetaTable.close() while they queue:
// does it hang, leak an iterator, leave an unhandled rejection? Do all digests settle?
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaTable } from '../dist/src/meta/meta-table.js';
import { MetaStateMachine } from '../dist/src/meta/meta-state-machine.js';
import { ReplicaChecks } from '../dist/src/meta/replica-checks.js';
import { encodeCommand } from '../dist/src/meta/commands.js';
process.on('unhandledRejection', (e) => console.log('UNHANDLED', String(e)));
const N = Number(process.argv[2] ?? 20000), MARKS = Number(process.argv[3] ?? 200), CLOSE = process.argv[4] === 'close';
const dir = mkdtempSync(join(tmpdir(), 'repro-close-'));
const meta = await MetaTable.open(join(dir, 'catalog'));
const logs = {};
const checks = new ReplicaChecks(2, (l, m) => { const k = `${l}: ${m.slice(0, 70)}`; logs[k] = (logs[k] ?? 0) + 1; });
const sm = new MetaStateMachine(meta, checks);
let index = 0;
const entry = (command) => ({ index: ++index, term: 1, data: encodeCommand(command), confChange: null });
for (let b = 0; b < N / 1000; b++) {
  const entries = [];
  for (let i = 0; i < 1000; i++) { const id = b * 1000 + i + 1; entries.push(entry({ kind: 'putDatabase', ts: BigInt(1000 + id), database: { id: BigInt(id), name: `db${id}`, state: 0, createdTimeNs: 0n, properties: [{ key: 'k', value: 'x'.repeat(200) }] } })); }
  await sm.apply(entries);
}
await meta.flushed();
const t0 = performance.now();
const digests = []; let rss = 0;
const iv = setInterval(() => { rss = Math.max(rss, process.memoryUsage().rss); }, 20);
for (let m = 0; m < MARKS; m++) {
  const id = N + 1 + m;
  const markIndex = index + 1;
  // mark, a write, the compare of the mark (as the log holds them while catching up)
  await sm.apply([entry({ kind: 'digestMark', id: `m${m}` }), entry({ kind: 'putDatabase', ts: BigInt(10_000_000 + m), database: { id: BigInt(id), name: `late${m}`, state: 0, createdTimeNs: 0n, properties: [] } }), entry({ kind: 'digestCompare', index: markIndex, digest: 'x', leader: 1 })]);
  digests.push(checks.digestAt(markIndex));
}
console.log('applied all', Math.round(performance.now() - t0), 'ms');
let closeMs = null;
if (CLOSE) { const c0 = performance.now(); await Promise.race([meta.close(), new Promise((r) => setTimeout(r, 20000))]); closeMs = Math.round(performance.now() - c0); }
const settled = await Promise.race([Promise.all(digests.map((d) => d ?? 'evicted')).then(() => true), new Promise((r) => setTimeout(() => r(false), 60000))]);
clearInterval(iv);
console.log(JSON.stringify({ N, MARKS, CLOSE, closeMs, allSettled: settled, allMs: Math.round(performance.now() - t0), rssMB: Math.round(rss / 1e6), counts: checks.counts, awaited: checks['awaited'].size, logs }));
if (!CLOSE) await meta.close();
rmSync(dir, { recursive: true, force: true });
