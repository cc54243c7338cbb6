// Slow reader: HTTP/2 connections that advertise a receive window of 0 and never read, each opening
// many gRPC calls with a ~1 MB answer (DescribeDatabase of 'bigdb', created by mkbigdb.mjs).
// usage: node slowread.mjs NODE_ID CONNS STREAMS_PER_CONN [path] [holdSeconds]
import http2 from 'node:http2';
import { execSync } from 'node:child_process';
import { P, cluster, health } from './lib.mjs';
const [id, conns, per] = process.argv.slice(2, 5).map(Number);
const path = process.argv[5] ?? '/rootcoord.RootCoord/DescribeDatabase';
const hold = Number(process.argv[6] ?? 20);
const node = cluster.nodes.find((n) => n.id === id);
const addr = path.startsWith('/milvus.proto.milvus') ? node.milvus : node.client;
const msg = path.startsWith('/milvus.proto.milvus') ? P.milvusCodec.encode('milvus.proto.milvus.DescribeDatabaseRequest', { db_name: 'bigdb' }) : P.encodeMessage('rootcoord.DescribeDatabaseRequest', { db_name: 'bigdb' });
const frame = Buffer.alloc(5 + msg.length); frame.writeUInt32BE(msg.length, 1); msg.copy(frame, 5);
const rss = () => { try { return Number(execSync(`ps -o rss= -p ${node.pid}`).toString().trim()) / 1024; } catch { return -1; } };
console.log('rss before MB', rss());
const sessions = [];
let opened = 0, responded = 0, closed = 0;
for (let c = 0; c < conns; c++) {
  const s = http2.connect(`http://${addr}`, { settings: { initialWindowSize: 0 } });
  s.on('error', (e) => console.log('session error', e.code));
  s.on('goaway', (code) => console.log('goaway', code));
  sessions.push(s);
  for (let i = 0; i < per; i++) {
    const st = s.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'x-rootcoord-read': 'stale' });
    opened++;
    await new Promise((resolve) => {
      const t = setTimeout(resolve, 2000);
      st.on('response', () => { responded++; clearTimeout(t); resolve(); });
      st.on('error', () => {});
      st.on('close', () => { closed++; clearTimeout(t); resolve(); });
      st.end(frame);
    });
    if (opened % 200 === 0) console.log('opened', opened, 'rss MB', rss().toFixed(0));
  }
}
for (let t = 0; t < hold; t++) {
  await new Promise((r) => setTimeout(r, 1000));
  console.log(`t=${t + 1}s opened ${opened} responded(headers) ${responded} closed ${closed} rss MB ${rss().toFixed(0)}`);
}
console.log(JSON.stringify(await health()));
for (const s of sessions) s.destroy();
await new Promise((r) => setTimeout(r, 3000));
console.log('after close rss MB', rss().toFixed(0), JSON.stringify(await health()));
process.exit(0);
