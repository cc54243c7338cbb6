import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import { execSync } from 'node:child_process';
export { grpc };
export const P = { ...(await import('/work/main/dist/src/api/proto.js')), ...(await import('/work/main/dist/src/protocol/proto.js')) };
export const cluster = JSON.parse(fs.readFileSync('/tmp/adv/cl/cluster.json', 'utf8'));
const clients = new Map();
export function client(addr) {
  let c = clients.get(addr);
  if (!c) { c = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 512 << 20, 'grpc.max_send_message_length': 512 << 20 }); clients.set(addr, c); }
  return c;
}
export function raw(addr, path, bytes, { md = {}, timeoutMs = 15000 } = {}) {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) m.set(k, v);
  return new Promise((resolve) => {
    const t0 = Date.now();
    client(addr).makeUnaryRequest(path, (b) => b, (b) => b, bytes, m, { deadline: Date.now() + timeoutMs }, (err, res) => {
      resolve({ err: err ? { code: err.code, details: err.details } : null, bytes: res, ms: Date.now() - t0 });
    });
  });
}
export function pidAlive(pid) {
  try { const s = execSync(`ps -o stat= -p ${pid}`).toString().trim(); return s !== '' && !s.startsWith('Z'); } catch { return false; }
}
export async function metrics(addr) {
  try {
    const r = await fetch(`http://${addr}/metrics`, { signal: AbortSignal.timeout(5000) });
    const t = await r.text();
    const g = (n) => { const m = t.match(new RegExp('^' + n + '(?:\\{[^}]*\\})? (\\S+)', 'm')); return m ? Number(m[1]) : null; };
    return { term: g('rootcoord_raft_term'), changes: g('rootcoord_raft_leader_changes_seen_total'), isLeader: g('rootcoord_raft_is_leader'), rss: g('process_resident_memory_bytes') };
  } catch (e) { return { error: String(e) }; }
}
export async function health() {
  const out = [];
  for (const n of cluster.nodes) out.push({ id: n.id, alive: pidAlive(n.pid), ...(await metrics(n.metrics)) });
  return out;
}
export function decodeAns(type, bytes, codec = 'api') {
  try { return codec === 'api' ? P.decodeMessage(type, bytes) : P.milvusCodec.decode(type, bytes); } catch (e) { return { decodeError: String(e) }; }
}
