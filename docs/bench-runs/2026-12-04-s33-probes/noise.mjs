// background: append 256 KB chunks and fsync every 4 MB, like LevelDB compaction output; runs until killed
import { open } from 'node:fs/promises';
const f = await open('/work/s33-noise.dat', 'w'); const b = Buffer.alloc(256 * 1024, 1); let w = 0;
for (;;) { await f.write(b); w += b.length; if (w % (4 << 20) === 0) await f.sync(); if (w > 512 << 20) { await f.truncate(0); w = 0; } }
