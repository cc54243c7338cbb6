// NOT a rootcoord defect: grpc-js 1.14.7 (the client) and a call whose metadata has two `authorization`
// values. load-balancing-call.js reports INTERNAL '"authorization" metadata cannot have multiple
// values' to the caller but does not return; it goes on to start the call, Node's http2 refuses the
// header (ERR_HTTP2_HEADER_SINGLE_VALUE), and transport.js's createCall catches that with
// handleDisconnect(): every other call in flight on that channel ends UNAVAILABLE "Connection dropped".
// The server never sees the call. (The Milvus-port fuzzer first sent such metadata; it no longer does.)
// usage: node grpc-js-two-authorization.mjs MILVUS_ADDRESS   (a cluster from scripts/cluster up)
import { createRequire } from 'node:module';
const require = createRequire('/tmp/s34-mfz/repo/package.json');
const grpc = require('@grpc/grpc-js');
const address = process.argv[2] ?? '127.0.0.1:58701';
const path = '/milvus.proto.milvus.MilvusService/ListDatabases';
const id = (b) => b;
const client = new grpc.Client(address, grpc.credentials.createInsecure());
const call = (md, deadlineMs = 10_000) => new Promise((resolve) => client.makeUnaryRequest(path, id, id, Buffer.alloc(0), md, { deadline: Date.now() + deadlineMs }, (e) => resolve(e ? `${grpc.status[e.code]}: ${e.details}` : 'ok')));
console.log('warm-up:', await call(new grpc.Metadata()));
// Bystanders: ordinary calls in flight on the same channel.
const bystanders = Array.from({ length: 20 }, () => call(new grpc.Metadata()));
const two = new grpc.Metadata();
two.add('authorization', Buffer.from('root:Milvus').toString('base64'));
two.add('authorization', Buffer.from('root:Milvus').toString('base64'));
console.log('call with two authorization values:', await call(two));
const outcomes = {};
for (const r of await Promise.all(bystanders)) outcomes[r] = (outcomes[r] ?? 0) + 1;
console.log('20 bystanders on the same channel:', outcomes);
console.log('after:', await call(new grpc.Metadata()));
client.close();
