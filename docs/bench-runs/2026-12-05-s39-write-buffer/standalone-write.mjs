import { ClassicLevel } from '/work/main/node_modules/classic-level/index.js';
import { rmSync } from 'node:fs';
const src = new ClassicLevel('/tmp/s39/c/node-4/meta', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
await src.open();
const batches = []; let cur = [];
for await (const [k, v] of src.iterator()) { cur.push({ type: 'put', key: k, value: v }); if (cur.length === 1000) { batches.push(cur); cur = []; } }
if (cur.length) batches.push(cur);
await src.close();
console.log('batches', batches.length);
const configs = process.argv.slice(2).map(Number);
for (const wb of configs) {
  const dir = `/tmp/s39/lvl/db-${wb}`;
  rmSync(dir, { recursive: true, force: true });
  const opts = { keyEncoding: 'utf8', valueEncoding: 'utf8' };
  if (wb > 0) opts.writeBufferSize = wb * 1024 * 1024;
  const db = new ClassicLevel(dir, opts);
  await db.open();
  const t0 = performance.now();
  let writing = Promise.resolve();
  for (const b of batches) { await writing; writing = db.batch(b); }
  await writing;
  const t1 = performance.now();
  await db.close();
  const t2 = performance.now();
  const db2 = new ClassicLevel(dir, opts.writeBufferSize ? { ...opts, writeBufferSize: 4 << 20 } : opts);
  await db2.open();
  const t3 = performance.now();
  await db2.close();
  console.log(JSON.stringify({ wbMB: wb, writeMs: Math.round(t1 - t0), closeMs: Math.round(t2 - t1), reopenMs: Math.round(t3 - t2) }));
}
