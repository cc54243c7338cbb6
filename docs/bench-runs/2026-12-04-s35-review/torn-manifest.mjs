// Review repro (s35-rev): a MANIFEST whose last record was cut by a crash (a header written, its data
// not) makes the table check skip the whole catalog, although LevelDB itself reads such a MANIFEST as
// ending at the cut (log_reader.cc: a record running past the end of the file is EOF, not corruption).
// Then a damaged table is not refused on that start.
import { cpSync, rmSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const R = '/tmp/s35-rev/repo';
const { VersionedStore } = await import(`${R}/dist/src/meta/versioned-store.js`);
const { checkTables } = await import(`${R}/dist/src/meta/leveldb-table-check.js`);
const { ClassicLevel } = await import(`${R}/node_modules/classic-level/index.js`);
const base = '/tmp/s35-rev/repro/torn-base', dir = '/tmp/s35-rev/repro/torn';
rmSync(base, { recursive: true, force: true }); rmSync(dir, { recursive: true, force: true });
const db = new ClassicLevel(base, { keyEncoding: 'utf8', valueEncoding: 'utf8' }); await db.open();
for (let b = 0; b < 40; b++) { const batch = db.batch(); for (let i = 0; i < 500; i++) batch.put(`key-${b}-${i}`, 'v'.repeat(100)); await batch.write(); }
await db.compactRange('', '\uffff'); await db.close();
const tornCopy = (damage) => {
  rmSync(dir, { recursive: true, force: true }); cpSync(base, dir, { recursive: true });
  const manifest = readFileSync(`${dir}/CURRENT`, 'utf8').trim();
  // A record header (checksum, length 300, type Full) and 10 of its 300 bytes: a write cut by a crash.
  const header = Buffer.alloc(7); header.writeUInt32LE(0x12345678, 0); header.writeUInt16LE(300, 4); header[6] = 1;
  appendFileSync(`${dir}/${manifest}`, Buffer.concat([header, Buffer.alloc(10, 0x07)]));
  if (damage) { const t = readdirSync(dir).find((n) => n.endsWith('.ldb')); const b = readFileSync(`${dir}/${t}`); b[100] ^= 0x01; writeFileSync(`${dir}/${t}`, b); }
};
tornCopy(false);
console.log('torn MANIFEST, tables intact: checkTables ->', JSON.stringify(await checkTables(dir)));
const s = await VersionedStore.open(dir); console.log('  LevelDB opens it (the cut record is EOF to it):', JSON.stringify(s.tableCheck)); await s.close();
tornCopy(true);
try { const s2 = await VersionedStore.open(dir); console.log('torn MANIFEST + a flipped bit in a data block: OPENED, not refused; skipped =', JSON.stringify(s2.tableCheck.skipped)); await s2.close(); }
catch (e) { console.log('torn MANIFEST + damage: refused', e.message.slice(0, 200)); }
// The same damage without the torn tail is refused.
rmSync(dir, { recursive: true, force: true }); cpSync(base, dir, { recursive: true });
{ const t = readdirSync(dir).find((n) => n.endsWith('.ldb')); const b = readFileSync(`${dir}/${t}`); b[100] ^= 0x01; writeFileSync(`${dir}/${t}`, b); }
try { const s3 = await VersionedStore.open(dir); console.log('intact MANIFEST + damage: opened (?)'); await s3.close(); } catch (e) { console.log('intact MANIFEST + damage: refused:', e.message.slice(0, 160)); }
