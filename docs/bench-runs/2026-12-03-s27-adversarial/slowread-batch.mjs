// Slow reader on the Milvus port: BatchDescribeCollection of 'bigcoll' (a ~0.9 MB description, made
// by mkbigcoll.mjs) named K times (answer ~K x 0.9 MB, at most 64 MiB), on HTTP/2 connections that
// advertise a receive window of 0 and never read.
// usage: node slowread-batch.mjs NODE_ID STREAMS K [holdSeconds]
import http2 from 'node:http2';
import { execSync } from 'node:child_process';
import { P, cluster, health } from './lib.mjs';
const [id, streams, K, hold] = process.argv.slice(2, 6).map(Number);
const node = cluster.nodes.find((n) => n.id === id);
const msg = P.milvusCodec.encode('milvus.proto.milvus.BatchDescribeCollectionRequest', { collection_name: Array(K).fill('bigcoll') });
const frame = Buffer.alloc(5 + msg.length); frame.writeUInt32BE(msg.length, 1); msg.copy(frame, 5);
const rss = () => { try { return Number(execSync(`ps -o rss= -p ${node.pid}`).toString().trim()) / 1024; } catch { return -1; } };
console.log('rss before MB', rss().toFixed(0));
const s = http2.connect(`http://${node.milvus}`, { settings: { initialWindowSize: 0 } });
s.on('error', (e) => console.log('session error', e.code));
let responded = 0;
for (let i = 0; i < streams; i++) {
  const st = s.request({ ':method': 'POST', ':path': '/milvus.proto.milvus.MilvusService/BatchDescribeCollection', 'content-type': 'application/grpc', te: 'trailers' });
  await new Promise((resolve) => { const t = setTimeout(resolve, 10000); st.on('response', () => { responded++; clearTimeout(t); resolve(); }); st.on('error', () => {}); st.on('close', () => { clearTimeout(t); resolve(); }); st.end(frame); });
  await new Promise((r) => setTimeout(r, Number(process.env.GAP_MS ?? 800)));
  if ((i + 1) % 5 === 0) console.log('streams', i + 1, 'answered', responded, 'rss MB', rss().toFixed(0));
}
for (let t = 0; t < hold; t++) await new Promise((r) => setTimeout(r, 1000));
console.log('holding: rss MB', rss().toFixed(0), JSON.stringify(await health()));
s.destroy();
process.exit(0);
