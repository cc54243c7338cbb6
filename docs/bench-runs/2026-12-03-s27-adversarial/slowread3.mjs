// slowread3.mjs NODE_ID CONNS STREAMS_PER_CONN: CONNS connections at once (receive window 0, never read), calls round-robin
import http2 from 'node:http2';
import { execSync } from 'node:child_process';
import { P, cluster, health } from '/tmp/adv/lib.mjs';
const [id, conns, per] = process.argv.slice(2, 5).map(Number);
const node = cluster.nodes.find((n) => n.id === id);
const msg = P.encodeMessage('rootcoord.DescribeDatabaseRequest', { db_name: 'bigdb' });
const frame = Buffer.alloc(5 + msg.length); frame.writeUInt32BE(msg.length, 1); msg.copy(frame, 5);
const rss = () => { try { return Number(execSync(`ps -o rss= -p ${node.pid}`).toString().trim()) / 1024; } catch { return -1; } };
console.log('rss before MB', rss().toFixed(0));
const out = { opened: 0, headers: 0, closedWithRst: 0, sessionsClosed: 0 };
const sessions = [];
for (let c = 0; c < conns; c++) { const s = http2.connect(`http://${node.client}`, { settings: { initialWindowSize: 0 } }); s.on('error', () => {}); s.on('close', () => out.sessionsClosed++); sessions.push(s); }
let maxRss = 0;
for (let i = 0; i < per; i++) {
  await Promise.all(sessions.map((s) => new Promise((resolve) => {
    if (s.destroyed || s.closed) return resolve();
    let st; try { st = s.request({ ':method': 'POST', ':path': '/rootcoord.RootCoord/DescribeDatabase', 'content-type': 'application/grpc', te: 'trailers', 'x-rootcoord-read': 'stale' }); } catch { return resolve(); }
    out.opened++;
    const t = setTimeout(resolve, 2000);
    st.on('response', () => { out.headers++; clearTimeout(t); resolve(); });
    st.on('error', () => {});
    st.on('close', () => { if (st.rstCode) out.closedWithRst++; clearTimeout(t); resolve(); });
    st.end(frame);
  })));
  if (i % 25 === 0) { const r = rss(); maxRss = Math.max(maxRss, r); console.log(i, JSON.stringify(out), 'rss MB', r.toFixed(0)); }
}
await new Promise((r) => setTimeout(r, 2000));
console.log('held', JSON.stringify(out), 'rss MB', rss().toFixed(0), 'max seen', maxRss.toFixed(0));
const { RootCoordClient } = await import('/work/main/dist/src/client/root-coord-client.js');
const c = new RootCoordClient({ endpoints: [node.client], retryBudgetMs: 0, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
console.log('normal call while held:', await c.allocTimestamp().then(() => 'ok', (e) => `code ${e.code}: ${e.reason.slice(0, 140)}`));
for (const s of sessions) s.destroy();
await new Promise((r) => setTimeout(r, 3000));
console.log('after close rss MB', rss().toFixed(0), 'normal call:', await c.allocTimestamp().then(() => 'ok', (e) => `code ${e.code}`));
c.close();
console.log(JSON.stringify(await health()));
process.exit(0);
