// A replica catching up through many marks (a follower down for a while, checks every 10 s as in
// scripts/chaos, or a learner): each mark starts a full scan and hash of the store, all at once, though
// only the last MARKS_KEPT (4) digests can ever be compared. Measures the request thread's lag and time.
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { filledCatalog } from './filled-catalog.mjs';

const N = Number(process.argv[2] ?? 50000);
const MARKS = Number(process.argv[3] ?? 40);
let warns = 0;
const { dir, meta, checks, sm, entry, index } = await filledCatalog(N, 'repro-catchup-', (l) => { if (l !== 'info') warns++; });
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
const t0 = performance.now();
const digests = [];
// Catch-up: the log holds a mark, a few writes and the compare, again and again.
for (let m = 0; m < MARKS; m++) {
  const id = N + 1 + m;
  await sm.apply([entry({ kind: 'digestMark', id: `m${m}` }), entry({ kind: 'putDatabase', ts: BigInt(10_000_000 + m), database: { id: BigInt(id), name: `late${m}`, state: 0, createdTimeNs: 0n, properties: [] } })]);
  digests.push(checks.digestAt(index() - 1));
}
const applied = performance.now() - t0;
const rssPeak = { v: 0 };
const iv = setInterval(() => { rssPeak.v = Math.max(rssPeak.v, process.memoryUsage().rss); }, 20);
await Promise.all(digests.map((d) => d ?? Promise.resolve('evicted')));
clearInterval(iv);
h.disable();
console.log(JSON.stringify({ keys: N, marks: MARKS, applyAllMs: Math.round(applied), allDigestsMs: Math.round(performance.now() - t0), loopDelayMaxMs: Math.round(h.max / 1e6), loopDelayP99Ms: Math.round(h.percentile(99) / 1e6), rssPeakMB: Math.round(rssPeak.v / 1e6), keptDigests: digests.filter((d) => d !== undefined).length, warns }));
await meta.close();
rmSync(dir, { recursive: true, force: true });
