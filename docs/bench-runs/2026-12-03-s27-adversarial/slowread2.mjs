// slowread2.mjs NODE_ID CONNS STREAMS_PER_CONN [path]: connections with receive window 0 that never read,
// each opening calls (a ~1 MB answer each); a destroyed session is counted and replaced. Prints RSS and outcomes.
import http2 from 'node:http2';
import { execSync } from 'node:child_process';
import { P, cluster, health } from '/tmp/adv/lib.mjs';
const [id, conns, per] = process.argv.slice(2, 5).map(Number);
const path = process.argv[5] ?? '/rootcoord.RootCoord/DescribeDatabase';
const node = cluster.nodes.find((n) => n.id === id);
const addr = path.startsWith('/milvus.proto.milvus') ? node.milvus : node.client;
const msg = path.startsWith('/milvus.proto.milvus') ? P.milvusCodec.encode('milvus.proto.milvus.DescribeDatabaseRequest', { db_name: 'bigdb' }) : P.encodeMessage('rootcoord.DescribeDatabaseRequest', { db_name: 'bigdb' });
const frame = Buffer.alloc(5 + msg.length); frame.writeUInt32BE(msg.length, 1); msg.copy(frame, 5);
const rss = () => { try { return Number(execSync(`ps -o rss= -p ${node.pid}`).toString().trim()) / 1024; } catch { return -1; } };
console.log('rss before MB', rss().toFixed(0));
const out = { opened: 0, headers: 0, refused: 0, sessionsClosed: 0, grpcStatus: {} };
const sessions = [];
for (let c = 0; c < conns; c++) {
  let s = http2.connect(`http://${addr}`, { settings: { initialWindowSize: 0 } });
  s.on('error', () => {}); s.on('close', () => out.sessionsClosed++);
  sessions.push(s);
  for (let i = 0; i < per; i++) {
    if (s.destroyed || s.closed) break;
    let st;
    try { st = s.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'x-rootcoord-read': 'stale' }); } catch { break; }
    out.opened++;
    await new Promise((resolve) => {
      const t = setTimeout(resolve, 2000);
      st.on('response', (h) => { out.headers++; const g = h['grpc-status']; if (g !== undefined) out.grpcStatus[g] = (out.grpcStatus[g] ?? 0) + 1; clearTimeout(t); resolve(); });
      st.on('error', () => {});
      st.on('close', () => { if (st.rstCode) out.refused++; clearTimeout(t); resolve(); });
      st.end(frame);
    });
  }
  console.log('connection', c, JSON.stringify(out), 'rss MB', rss().toFixed(0));
}
await new Promise((r) => setTimeout(r, 2000));
console.log('held', JSON.stringify(out), 'rss MB', rss().toFixed(0));
// A normal client on a fresh connection: answered, or refused 2001?
const { RootCoordClient } = await import('/work/main/dist/src/client/root-coord-client.js');
const c = new RootCoordClient({ endpoints: [node.client], retryBudgetMs: 0, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
console.log('normal call while held:', await c.allocTimestamp().then(() => 'ok', (e) => `code ${e.code}: ${e.reason.slice(0, 120)}`));
for (const s of sessions) s.destroy();
await new Promise((r) => setTimeout(r, 3000));
console.log('after close rss MB', rss().toFixed(0), 'normal call:', await c.allocTimestamp().then(() => 'ok', (e) => `code ${e.code}`));
c.close();
console.log(JSON.stringify(await health()));
process.exit(0);
