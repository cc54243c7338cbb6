import { rmSync } from 'node:fs';
const B = '/tmp/s39/buf/dist/src/meta/';
const { VersionedStore } = await import(B + 'versioned-store.js');
const { encodeCatalogSnapshot, decodeCatalogSnapshot, decodeCatalogRecords, poolCodec } = await import(B + 'catalog-snapshot.js');
const src = await VersionedStore.open('/tmp/s39/n4copy');
const pieces = []; for await (const p of encodeCatalogSnapshot(src.scan(), () => false)) pieces.push(p);
await src.close();
const data = Buffer.concat(pieces);
for (const mode of process.argv.slice(2)) {
  rmSync('/tmp/s39/rdb', { recursive: true, force: true });
  const store = await VersionedStore.open('/tmp/s39/rdb');
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const gen = mode === 'bytes' ? decodeCatalogRecords(data, poolCodec, (k) => !k.startsWith('snapshots/')) : decodeCatalogSnapshot(data);
  let writing = Promise.resolve();
  for await (const batch of gen) { await writing; writing = store.write(batch); }
  await writing;
  const c = process.cpuUsage(c0);
  console.log(mode, 'wall', Math.round(performance.now() - t0), 'ms cpu(all threads)', Math.round((c.user + c.system) / 1000), 'ms');
  await store.close();
}
