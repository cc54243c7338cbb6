// reqload.mjs ROOT METADIR: time loadRequests alone over a copy of the catalog (after MetaTable.open)
import { cpSync, rmSync } from 'node:fs';
const [root, src] = process.argv.slice(2);
const dir = `${src}-rq-${process.pid}`;
cpSync(src, dir, { recursive: true });
const { VersionedStore } = await import(`${root}/dist/src/meta/versioned-store.js`);
const { MetaIndex } = await import(`${root}/dist/src/meta/meta-index.js`);
const { loadRequests } = await import(`${root}/dist/src/meta/catalog-load.js`);
const store = await VersionedStore.open(dir);
const runs = [];
for (let i = 0; i < 5; i++) { const index = new MetaIndex(); const t0 = performance.now(); await loadRequests(store, index, () => true); runs.push(Math.round(performance.now() - t0)); if (i === 0) console.log('requests', index.requests.size); }
console.log(root, 'ms', runs.join(' '));
await store.close();
rmSync(dir, { recursive: true, force: true });
