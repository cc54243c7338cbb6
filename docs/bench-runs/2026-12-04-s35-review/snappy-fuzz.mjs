// The table check's Snappy decompressor against snappyjs's compressor: random inputs of every kind.
import SnappyJS from '/tmp/s35-rev/repo/node_modules/snappyjs/index.js';
import { snappyDecompress } from '/tmp/s35-rev/repo/dist/src/meta/leveldb-table-check.js';
let seed = 12345; const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
let n = 0, bad = 0;
for (let t = 0; t < 20000; t++) {
  const len = Math.floor(rnd() ** 3 * 300000);
  const a = new Uint8Array(len); const alphabet = 1 + Math.floor(rnd() * 256); const mode = t % 4;
  for (let i = 0; i < len; i++) {
    if (mode === 0) a[i] = Math.floor(rnd() * alphabet);
    else if (mode === 1 && i > 0 && rnd() < 0.9) a[i] = a[i - 1 - Math.floor(rnd() * Math.min(i, 1 + Math.floor(rnd() * 70000)))];
    else if (mode === 2) a[i] = rnd() < 0.97 ? 7 : Math.floor(rnd() * 256);
    else a[i] = (i % (1 + (t % 97))) + (rnd() < 0.01 ? 1 : 0);
  }
  const c = new Uint8Array(SnappyJS.compress(a.buffer));
  let out;
  try { out = snappyDecompress(c, (w) => new Error(w)); } catch (e) { bad++; console.log('threw', len, e.message); continue; }
  if (out.length !== a.length || Buffer.compare(Buffer.from(out), Buffer.from(a)) !== 0) { bad++; console.log('mismatch', len); }
  n++;
}
console.log({ tested: n, bad });
