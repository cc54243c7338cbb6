import { openSync, writeSync, fdatasyncSync, closeSync, rmSync } from 'node:fs';
const f = '/tmp/s28/fsync.bin'; const fd = openSync(f, 'w'); const b = Buffer.alloc(8192, 1); const s = [];
for (let i = 0; i < 300; i++) { const t = performance.now(); writeSync(fd, b); fdatasyncSync(fd); s.push(performance.now() - t); }
closeSync(fd); rmSync(f); s.sort((a, b) => a - b); console.log('append+fdatasync ms p50', s[150].toFixed(3), 'p90', s[270].toFixed(3), 'max', s[299].toFixed(3));
