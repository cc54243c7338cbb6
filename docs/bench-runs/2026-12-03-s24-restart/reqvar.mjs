import { cpSync, rmSync } from 'node:fs';
const [root, src] = process.argv.slice(2);
const dir = `${src}-rv-${process.pid}`;
cpSync(src, dir, { recursive: true });
const { VersionedStore } = await import(`${root}/dist/src/meta/versioned-store.js`);
const store = await VersionedStore.open(dir);
const prefix = 'rootcoord/requests/';
const variants = {
  scanOnly: async () => { let n = 0; for await (const b of store.scan(prefix, 10000)) n += b.length; return n; },
  setSliceOnly: async () => { const m = new Map(); for await (const b of store.scan(prefix, 10000)) for (const [k, v] of b) m.set(k.slice(prefix.length), v); return m.size; },
  setSliceBigint: async () => { const m = new Map(); for await (const b of store.scan(prefix, 10000)) for (const [k, v] of b) m.set(k.slice(prefix.length), BigInt(v)); return m.size; },
  setKeyWhole: async () => { const m = new Map(); for await (const b of store.scan(prefix, 10000)) for (const [k, v] of b) m.set(k, v); return m.size; },
};
for (let r = 0; r < 3; r++) for (const [name, f] of Object.entries(variants)) { const t0 = performance.now(); await f(); console.log(name, Math.round(performance.now() - t0)); }
await store.close(); rmSync(dir, { recursive: true, force: true });
