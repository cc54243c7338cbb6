const { MetaTable } = await import('/work/main/dist/src/meta/meta-table.js');
const r0 = process.resourceUsage(); const t0 = performance.now();
const meta = await MetaTable.open('/tmp/s26/meta60k');
const t1 = performance.now(); const r1 = process.resourceUsage();
const f = r1.minorPageFault - r0.minorPageFault;
console.log(`load ${(t1 - t0).toFixed(0)} ms, minor faults ${f} (about ${(f * 0.012).toFixed(0)} ms at 12 µs each), heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB, collections ${meta.collections.size}`);
await meta.close();
