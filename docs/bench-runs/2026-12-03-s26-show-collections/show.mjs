// show.mjs BUILD ENDPOINT [N]: ShowCollections timings: whole call through the client, raw bytes (server + transport), decode alone
import * as grpc from '@grpc/grpc-js';
const [build, endpoint, nArg] = process.argv.slice(2);
const N = Number(nArg ?? 7);
const { RootCoordClient } = await import(`${build}/dist/src/client/root-coord-client.js`);
const { decodeMessage, encodeMessage, clientChannelOptions } = await import(`${build}/dist/src/protocol/proto.js`);
const client = new RootCoordClient({ endpoints: [endpoint], attemptDeadlineMs: 30000 });
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const whole = [], raw = [], dec = [];
const Raw = grpc.makeGenericClientConstructor({ ShowCollections: { path: '/rootcoord.RootCoord/ShowCollections', requestStream: false, responseStream: false, requestSerialize: (v) => encodeMessage('rootcoord.ShowCollectionsRequest', v), requestDeserialize: (b) => b, responseSerialize: (b) => b, responseDeserialize: (b) => b } }, 'RootCoord');
const rc = new Raw(endpoint, grpc.credentials.createInsecure(), clientChannelOptions);
let bytes;
for (let i = 0; i < N; i++) {
  let t = performance.now();
  const r = await client.showCollections('');
  whole.push(performance.now() - t);
  t = performance.now();
  bytes = await new Promise((res, rej) => rc.ShowCollections({ db_name: '' }, new grpc.Metadata(), { deadline: Date.now() + 30000 }, (e, b) => (e ? rej(e) : res(b))));
  raw.push(performance.now() - t);
  t = performance.now();
  const m = decodeMessage('rootcoord.ShowCollectionsResponse', bytes);
  dec.push(performance.now() - t);
  if (i === 0) console.log('names', r.collection_names.length, m.collection_names.length, 'bytes', bytes.length);
}
const f = (a) => a.map((x) => x.toFixed(0)).join(' ');
console.log(`whole median ${med(whole).toFixed(0)} [${f(whole)}]\nraw   median ${med(raw).toFixed(0)} [${f(raw)}]\ndecode median ${med(dec).toFixed(0)} [${f(dec)}]`);
process.exit(0);
