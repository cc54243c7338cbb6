const build = process.argv[2];
const { MetaTable } = await import(`${build}/dist/src/meta/meta-table.js`);
const { showCollections } = await import(`${build}/dist/src/reads/collection-reads.js`);
const { encodeMessage } = await import(`${build}/dist/src/protocol/proto.js`);
const { physicalMs } = await import(`${build}/dist/src/common/hybrid-ts.js`);
const conv = await import(`${build}/dist/src/api/convert.js`);
const meta = await MetaTable.open('/tmp/s26/meta-copy');
while (meta.collections.decodeSome(() => false)) {}
const old = (cs) => ({ collection_names: cs.map((c) => c.name), collection_ids: cs.map((c) => c.collectionID), created_timestamps: cs.map((c) => c.createTs), created_utc_timestamps: cs.map((c) => physicalMs(c.createTs)), shards_num: cs.map((c) => c.shardsNum) });
const tot = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  const cs = await showCollections(meta, '', 0n);
  const t1 = performance.now();
  const msg = { status: { code: 0, reason: '' }, ...(conv.showCollectionsResponse ?? old)(cs) };
  const t2 = performance.now();
  const b = encodeMessage('rootcoord.ShowCollectionsResponse', msg);
  const t3 = performance.now();
  tot.push(t3 - t0);
  if (i === 0) console.log('bytes', b.length, require_hash(b));
  console.log(`show ${(t1 - t0).toFixed(0)} map ${(t2 - t1).toFixed(0)} encode ${(t3 - t2).toFixed(0)}`);
}
function require_hash(b) { let h = 0; for (let i = 0; i < b.length; i++) h = (h * 31 + b[i]) | 0; return h; }
tot.sort((a, b) => a - b); console.log('median total', tot[5].toFixed(0));
await meta.close();
