import { ClassicLevel } from '/tmp/s35-rev/repo/node_modules/classic-level/index.js';
const dir = process.argv[2]; const n = Number(process.argv[3] ?? 50000);
const db = new ClassicLevel(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
await db.open();
for (let i = 0; i < n; i += 1000) { const b = db.batch(); for (let k = i; k < i + 1000; k++) b.put(`key-${k}-${'x'.repeat(k % 50)}`, JSON.stringify({ k, v: 'y'.repeat(100 + (k % 300)) })); await b.write(); }
await db.close();
console.log('made', dir);
