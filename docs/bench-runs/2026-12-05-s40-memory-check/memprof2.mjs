// memprof2.mjs DIST CATALOG OUT [GO]: open a copy of a node's catalog, decode it, then one memory check with a CPU profile of it
// alone (OUT) and the gaps over 30 ms of a 5 ms timer during it ([ms from the start, gap]). GO: a file; the check starts
// once it exists (three of these at once: start them, then touch it).
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const [dist, path, out, go] = process.argv.slice(2);
const { MetaTable } = await import(`${dist}/src/meta/meta-table.js`);
const meta = await MetaTable.open(path);
await meta.decodeInBackground();
meta.readRequests(); await meta.requestsLoaded();
global.gc?.();
const { existsSync } = await import('node:fs');
while (go !== undefined && !existsSync(go)) await new Promise((r) => setTimeout(r, 100));
const session = new Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.start');
const gaps = []; let t = performance.now(); let last = t; let peak = 0;
const timer = setInterval(() => { const now = performance.now(); if (now - last > 30) gaps.push([Math.round(last - t), Math.round(now - last)]); last = now; peak = Math.max(peak, process.memoryUsage().rss); }, 5);
const result = await meta.checkMemory();
const ms = performance.now() - t;
clearInterval(timer);
const { profile } = await session.post('Profiler.stop');
writeFileSync(out, JSON.stringify(profile));
console.log(JSON.stringify({ checkMs: Math.round(ms), differences: result.differences, gapsOver30ms: gaps, rssPeakMiB: Math.round(peak / 2 ** 20) }));
await meta.close();
