import { cpSync, rmSync } from 'node:fs';
const [root, src] = process.argv.slice(2);
const dir = `${src}-run-${process.pid}`; cpSync(src, dir, { recursive: true });
const { MetaTable } = await import(`${root}/dist/src/meta/meta-table.js`);
const meta = await MetaTable.open(dir);
for (let k = 0; k < 6; k++) {
  const t0 = performance.now(); let n = 0;
  for (const c of meta.collections.values()) if (c.state === 0) n += c.partitions.filter((p) => p.state === 0).length;
  console.log('partition_num scan', n, (performance.now() - t0).toFixed(1), 'ms');
}
await meta.close(); rmSync(dir, { recursive: true, force: true });
