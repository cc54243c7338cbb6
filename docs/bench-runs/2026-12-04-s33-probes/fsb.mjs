// fsync microbenchmark: mode append | prezero | falloc; N writes of SIZE bytes with O_DSYNC, W writers in parallel
import { open, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
const [mode, N = '2000', SIZE = '4096', W = '1'] = process.argv.slice(2);
const n = Number(N), size = Number(SIZE), writers = Number(W);
const buf = Buffer.alloc(size, 7);
const SEG = 64 * 1024 * 1024;
async function writer(k) {
  const path = `/work/s33-fsb-${k}.dat`;
  await rm(path, { force: true });
  let fh;
  if (mode === 'append') {
    fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC, 0o600);
  } else {
    const f = await open(path, 'w');
    if (mode === 'prezero') { const z = Buffer.alloc(1 << 20); for (let o = 0; o < SEG; o += z.length) await f.write(z, 0, z.length, o); }
    else { await f.truncate(0); await (await import('node:child_process')).execFileSync('fallocate', ['-l', String(SEG), path]); }
    await f.sync(); await f.close();
    fh = await open(path, constants.O_WRONLY | constants.O_DSYNC);
  }
  const lat = [];
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    if (mode === 'append') await fh.write(buf, 0, size); else await fh.write(buf, 0, size, pos);
    pos += size;
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  await fh.close(); await rm(path, { force: true });
  return lat;
}
const all = (await Promise.all(Array.from({ length: writers }, (_, k) => writer(k)))).flat().sort((a, b) => a - b);
const q = (p) => all[Math.floor(p * (all.length - 1))].toFixed(3);
console.log(mode, 'writers', writers, 'size', size, 'p50', q(0.5), 'p90', q(0.9), 'p99', q(0.99));
