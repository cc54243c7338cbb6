// node copybench.mjs BUILD CATALOG_DIR text|bytes...: the leader's copy of CATALOG_DIR (a copy of a
// stopped node's meta/) made from values read as text or as bytes, in BUILD (bytes-path.patch's build).
const [build, catalogDir, ...modes] = process.argv.slice(2);
const B = `${build}/dist/src/meta/`;
const { VersionedStore } = await import(B + 'versioned-store.js');
const { encodeCatalogSnapshot } = await import(B + 'catalog-snapshot.js');
const store = await VersionedStore.open(catalogDir);
for (const mode of modes) {
  const c0 = process.cpuUsage(); const t0 = performance.now(); let bytes = 0;
  const batches = mode === 'bytes' ? store.scanBytes() : store.scan();
  for await (const piece of encodeCatalogSnapshot(batches, () => false)) bytes += piece.byteLength;
  const c = process.cpuUsage(c0);
  console.log(mode, 'wall', Math.round(performance.now() - t0), 'ms cpu(all threads)', Math.round((c.user + c.system) / 1000), 'ms bytes', bytes);
}
await store.close();
