// node --expose-gc --trace-gc-nvp h2ext.mjs N WITHID : N unary grpc-js calls (server here, client in-process), then a full GC
import * as grpc from '/work/main/node_modules/@grpc/grpc-js/build/src/index.js';
import { randomUUID } from 'node:crypto';
const [N, withId] = [Number(process.argv[2]), process.argv[3] === '1'];
const def = { Echo: { path: '/test.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: (b) => b, requestDeserialize: (b) => b, responseSerialize: (b) => b, responseDeserialize: (b) => b } };
const server = new grpc.Server();
server.addService(def, { Echo: (call, cb) => cb(null, call.request) });
const port = await new Promise((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
const Ctor = grpc.makeGenericClientConstructor(def, 'E');
const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const payload = Buffer.alloc(100);
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  while (next++ < N) await new Promise((res, rej) => { const md = new grpc.Metadata(); if (withId) md.set('x-rootcoord-request-id', randomUUID()); client.Echo(payload, md, { deadline: Date.now() + 30000 }, (e, r) => (e ? rej(e) : res(r))); });
}));
console.error('calls done');
globalThis.gc();
client.close(); server.forceShutdown();
