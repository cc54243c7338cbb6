import { cpSync, rmSync } from 'node:fs';
const [root, src] = process.argv.slice(2);
const dir = `${src}-run-${process.pid}`; cpSync(src, dir, { recursive: true });
const { MetaTable } = await import(`${root}/dist/src/meta/meta-table.js`);
const meta = await MetaTable.open(dir);
const out = [];
for (let k = 0; k < 3; k++) { const t0 = performance.now(); const n = meta.collectionsOf(2n).length; out.push(`collectionsOf(db2) ${n} ${(performance.now() - t0).toFixed(1)}ms`); }
let t0 = performance.now(); for (let i = 0; i < 1000; i++) meta.collectionByName(1n, `c${i * 4}`); out.push(`1000 first byName ${(performance.now() - t0).toFixed(1)}ms`);
t0 = performance.now(); for (let i = 0; i < 1000; i++) meta.collectionByName(1n, `c${i * 4}`); out.push(`1000 again ${(performance.now() - t0).toFixed(1)}ms`);
console.log(root.split('/').pop(), out.join(' | '));
await meta.close(); rmSync(dir, { recursive: true, force: true });
