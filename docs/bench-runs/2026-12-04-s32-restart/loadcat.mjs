// loadcat.mjs ROOT METADIR: open (load) the catalog with ROOT's build, print the load time, CPU, heap
import { cpSync, rmSync } from 'node:fs';
const [root, src] = process.argv.slice(2);
const dir = `${src}-run-${process.pid}`;
cpSync(src, dir, { recursive: true });
const { MetaTable } = await import(`${root}/dist/src/meta/meta-table.js`);
const c0 = process.cpuUsage(); const t0 = performance.now();
const meta = await MetaTable.open(dir);
const ms = performance.now() - t0; const c = process.cpuUsage(c0);
console.log(JSON.stringify({ loadMs: Math.round(ms), cpuMs: Math.round((c.user + c.system) / 1000), collections: meta.collections.size, heapMB: Math.round(process.memoryUsage().heapUsed / 1e6) }));
await meta.close();
rmSync(dir, { recursive: true, force: true });
