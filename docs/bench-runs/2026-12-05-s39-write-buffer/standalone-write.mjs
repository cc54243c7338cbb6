// node standalone-write.mjs CATALOG_DIR SCRATCH_DIR MIB...: CATALOG_DIR's records (a stopped node's meta/,
// e.g. the removed member 4 of fill.sh's cluster) read into batches of 1,000 and written to a fresh
// LevelDB in SCRATCH_DIR, one batch in flight, with each memtable size in MiB (0: LevelDB's default).
import { ClassicLevel } from '../../../node_modules/classic-level/index.js';
import { rmSync } from 'node:fs';
const [catalogDir, scratchDir, ...sizes] = process.argv.slice(2);
const src = new ClassicLevel(catalogDir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
await src.open();
const batches = []; let cur = [];
for await (const [k, v] of src.iterator()) { cur.push({ type: 'put', key: k, value: v }); if (cur.length === 1000) { batches.push(cur); cur = []; } }
if (cur.length) batches.push(cur);
await src.close();
console.log('batches', batches.length);
const configs = sizes.map(Number);
for (const wb of configs) {
  const dir = `${scratchDir}/db-${wb}`;
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
