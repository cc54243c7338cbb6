// decode.mjs ROOT [N]: ShowCollections of N (200,000) names as a server encodes it, decoded by ROOT's
// codec as the client's plain call ('decimal') and its columns call ('typed'): median of 9 each, ms.
const [root, n] = [process.argv[2], Number(process.argv[3] ?? 200000)];
const { encodeMessage, decodeMessage } = await import(`${root}/dist/src/protocol/proto.js`);
const names = Array.from({ length: n }, (_v, i) => `collection_${i}`);
const ids = BigInt64Array.from(names, (_v, i) => 470840674334015495n + BigInt(i) * 3n);
const ts = BigUint64Array.from(names, (_v, i) => 464561876337737730n + BigInt(i) * 262144n);
const utc = BigUint64Array.from(names, (_v, i) => 1764700000000n + BigInt(i));
const bytes = encodeMessage('rootcoord.ShowCollectionsResponse', { status: { code: 0 }, collection_names: names, collection_ids: ids, created_timestamps: ts, created_utc_timestamps: utc });
const time = (as) => { const t = performance.now(); const m = decodeMessage('rootcoord.ShowCollectionsResponse', bytes, as); const d = performance.now() - t; if (m.collection_names.length !== n) throw new Error('short'); return d; };
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
const out = {};
for (const as of ['decimal', 'typed']) { const s = []; for (let i = 0; i < 9; i++) s.push(time(as)); out[as] = Math.round(median(s) * 10) / 10; }
console.log(JSON.stringify({ root, bytes: bytes.length, ...out }));
