// node cmp.mjs DIR ID REF_ID [digest] : compare node ID's catalog with node REF_ID's: collection names of the 4 databases
// (stale reads on each node itself), then (with "digest") the admin Digest of both at one applied index.
// Prints SAME/DIFFERENT lines; exit 0 same, 1 different, 2 error.
import { readFileSync } from 'node:fs';
const R = process.env.R ?? '/tmp/s35-adv/repo';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const [dir, a, b, dig] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const ep = (id) => cfg.nodes.find((n) => n.id == id).client;
const dbs = ['', 'db1', 'db2', 'db3'];
const names = async (id) => { const c = new RootCoordClient({ endpoints: [ep(id)], staleReads: true, attemptDeadlineMs: 20000, retryBudgetMs: 20000 });
  try { const out = {}; for (const db of dbs) { try { out[db || 'default'] = new Set((await c.call('ShowCollections', { db_name: db, time_stamp: '0' })).collection_names); } catch (e) { out[db || 'default'] = 'ERR ' + e.message.slice(0, 150); } } return out; } finally { c.close(); } };
const [x, y] = await Promise.all([names(a), names(b)]);
let diff = 0, err = 0, total = 0;
for (const db of Object.keys(x)) {
  const s = x[db], t = y[db];
  if (typeof s === 'string' || typeof t === 'string') { console.log(`db ${db}: node ${a}: ${typeof s === 'string' ? s : s.size} / node ${b}: ${typeof t === 'string' ? t : t.size}`); err++; continue; }
  total += s.size;
  const onlyA = [...s].filter((n) => !t.has(n)), onlyB = [...t].filter((n) => !s.has(n));
  if (onlyA.length + onlyB.length > 0) { diff++; console.log(`db ${db}: DIFFERENT node ${a} ${s.size} vs node ${b} ${t.size}; only on ${a}: ${onlyA.slice(0, 5)} (${onlyA.length}); only on ${b}: ${onlyB.slice(0, 5)} (${onlyB.length})`); }
}
if (diff + err === 0) console.log(`names SAME (${total} collections in 4 dbs)`);
if (dig === 'digest') {
  const call = async (id) => { const c = new RootCoordClient({ endpoints: [ep(id)], staleReads: true, attemptDeadlineMs: 120000, retryBudgetMs: 1 }); try { const r = await c.call('Digest', {}, 'admin'); return `${r.applied_index}:${r.digest.slice(0, 16)}`; } catch (e) { return 'ERR ' + e.message.slice(0, 100); } finally { c.close(); } };
  let d = [];
  for (let i = 0; i < 8; i++) { d = await Promise.all([call(a), call(b)]); if (d[0].split(':')[0] === d[1].split(':')[0]) break; }
  const sameIdx = d[0].split(':')[0] === d[1].split(':')[0];
  console.log(`digest node ${a} ${d[0]} node ${b} ${d[1]}: ${!sameIdx ? 'NOT AT ONE INDEX' : d[0] === d[1] ? 'SAME' : 'DIFFERENT'}`);
  if (sameIdx && d[0] !== d[1]) diff++;
}
process.exit(err ? 2 : diff ? 1 : 0);
