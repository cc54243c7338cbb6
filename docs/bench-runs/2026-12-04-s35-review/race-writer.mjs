// Process A: holds the LevelDB open and writes steadily so that it flushes and compacts.
import { ClassicLevel } from '/tmp/s35-rev/repo/node_modules/classic-level/index.js';
const dir = process.argv[2]; const seconds = Number(process.argv[3] ?? 40);
const db = new ClassicLevel(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8', writeBufferSize: 256 * 1024 });
await db.open();
const end = Date.now() + seconds * 1000; let k = 0;
while (Date.now() < end) { const b = db.batch(); for (let i = 0; i < 500; i++, k++) b.put(`k${(k * 7919) % 200000}`, 'v'.repeat(200) + k); await b.write(); }
await db.close(); console.log('writer done', k);
