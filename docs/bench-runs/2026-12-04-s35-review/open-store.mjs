import { VersionedStore } from '/tmp/s35-rev/repo/dist/src/meta/versioned-store.js';
try { const s = await VersionedStore.open(process.argv[2]); console.log('opened', JSON.stringify(s.tableCheck)); await s.close(); } catch (e) { console.log('REFUSED', e.name, e.message); process.exitCode = 1; }
