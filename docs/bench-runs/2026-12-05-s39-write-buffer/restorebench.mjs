// node restorebench.mjs BUILD CATALOG_DIR SCRATCH_DIR text|bytes...: CATALOG_DIR's snapshot decoded and
// written to a fresh store in SCRATCH_DIR, values as text or (bytes-path.patch's build) as bytes.
import { rmSync } from 'node:fs';
const [build, catalogDir, scratchDir, ...modes] = process.argv.slice(2);
const B = `${build}/dist/src/meta/`;
const { VersionedStore } = await import(B + 'versioned-store.js');
const { encodeCatalogSnapshot, decodeCatalogSnapshot, decodeCatalogRecords, poolCodec } = await import(B + 'catalog-snapshot.js');
const src = await VersionedStore.open(catalogDir);
const pieces = []; for await (const p of encodeCatalogSnapshot(src.scan(), () => false)) pieces.push(p);
await src.close();
const data = Buffer.concat(pieces);
for (const mode of modes) {
  rmSync(scratchDir, { recursive: true, force: true });
  const store = await VersionedStore.open(scratchDir);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const gen = mode === 'bytes' ? decodeCatalogRecords(data, poolCodec, (k) => !k.startsWith('snapshots/')) : decodeCatalogSnapshot(data);
  let writing = Promise.resolve();
  for await (const batch of gen) { await writing; writing = store.write(batch); }
  await writing;
  const c = process.cpuUsage(c0);
  console.log(mode, 'wall', Math.round(performance.now() - t0), 'ms cpu(all threads)', Math.round((c.user + c.system) / 1000), 'ms');
  await store.close();
}
