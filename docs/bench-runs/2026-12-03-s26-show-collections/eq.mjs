// eq.mjs: the new encoder's bytes decode (by protobufjs alone) to what the old encoder's decode to
import protobuf from '/work/main/node_modules/protobufjs/index.js';
const { MetaTable } = await import(`/work/main/dist/src/meta/meta-table.js`);
const { showCollections } = await import(`/work/main/dist/src/reads/collection-reads.js`);
const conv = await import(`/work/main/dist/src/api/convert.js`);
const neu = await import(`/work/main/dist/src/protocol/proto.js`);
const old = await import(`/work/wt/bench/dist/src/protocol/proto.js`);
const meta = await MetaTable.open('/tmp/s26/meta-copy');
while (meta.collections.decodeSome(() => false)) {}
const cs = await showCollections(meta, '', 0n);
const msg = { status: { code: 0, reason: 'ok' }, ...conv.showCollectionsResponse(cs) };
const oldMsg = { status: { code: 0, reason: 'ok' }, collection_names: cs.map((c) => c.name), collection_ids: cs.map((c) => c.collectionID), created_timestamps: cs.map((c) => c.createTs), created_utc_timestamps: cs.map((c) => c.createTs >> 18n), shards_num: cs.map((c) => c.shardsNum) };
const T = 'rootcoord.ShowCollectionsResponse';
const a = neu.encodeMessage(T, msg), b = old.encodeMessage(T, oldMsg);
const type = old.apiRoot.lookupType(T);
const opts = { longs: String, defaults: true, arrays: true };
const da = JSON.stringify(type.toObject(type.decode(a), opts)), db = JSON.stringify(type.toObject(type.decode(b), opts));
console.log('sizes', a.length, b.length, 'equal decode', da === db, 'codec decode equal', JSON.stringify(neu.decodeMessage(T, a)) === JSON.stringify(old.decodeMessage(T, b)));
const times = [];
for (let i = 0; i < 8; i++) { const t = performance.now(); neu.encodeMessage(T, conv.showCollectionsResponse(cs)); times.push(performance.now() - t); }
const oldT = [];
for (let i = 0; i < 8; i++) { const t = performance.now(); old.encodeMessage(T, { collection_names: cs.map((c) => c.name), collection_ids: cs.map((c) => c.collectionID), created_timestamps: cs.map((c) => c.createTs), created_utc_timestamps: cs.map((c) => c.createTs >> 18n), shards_num: cs.map((c) => c.shardsNum) }); oldT.push(performance.now() - t); }
console.log('new map+encode', times.map((x) => x.toFixed(0)).join(' '), '\nold map+encode', oldT.map((x) => x.toFixed(0)).join(' '));
await meta.close();
