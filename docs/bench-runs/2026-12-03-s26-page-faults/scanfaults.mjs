import { ClassicLevel } from '/work/main/node_modules/classic-level/index.js';
const dir = process.argv[2];
const r0 = process.resourceUsage(); const t0 = performance.now();
const db = new ClassicLevel(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
await db.open();
let n = 0, bytes = 0;
for await (const [k, v] of db.iterator({ highWaterMarkBytes: 4 * 1024 * 1024 })) { n++; bytes += v.length; }
const t1 = performance.now(); const r1 = process.resourceUsage();
console.log(`scan ${n} records ${(bytes / 1e6).toFixed(0)} MB in ${(t1 - t0).toFixed(0)} ms, minor faults ${r1.minorPageFault - r0.minorPageFault}, major ${r1.majorPageFault - r0.majorPageFault}, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
await db.close();
