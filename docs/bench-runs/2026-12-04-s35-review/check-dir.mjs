import { checkTables } from '/tmp/s35-rev/repo/dist/src/meta/leveldb-table-check.js';
const dir = process.argv[2];
try { console.log(JSON.stringify(await checkTables(dir))); } catch (e) { console.log('ERROR', e.name, e.message); process.exitCode = 1; }
