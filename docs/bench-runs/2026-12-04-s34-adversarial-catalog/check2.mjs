// node check.mjs DIR OPSFILE : after the writer stopped: wait for equal applied index + digest on all live nodes,
// then check every acked op against every node (stale reads, local), and the fill's collection sets.
import { readFileSync, existsSync } from 'node:fs';
import { RootCoordClient } from '/tmp/s34-adv/repo/dist/src/client/root-coord-client.js';
const [dir, opsFile] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const nodes = cfg.nodes;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// expected final state from the op log
const colls = new Map(); // name -> {state, parts: Map}
if (opsFile && existsSync(opsFile)) for (const line of readFileSync(opsFile, 'utf8').split('\n')) {
  if (!line) continue; const o = JSON.parse(line);
  const st = o.ok ? null : 'unknown';
  if (o.op === 'createColl') colls.set(o.coll, { state: st ?? 'present', parts: new Map([['_default', 'present']]) });
  else if (o.op === 'dropColl') colls.get(o.coll).state = st ?? 'absent';
  else colls.get(o.coll).parts.set(o.part, st ?? (o.op === 'createPart' ? 'present' : 'absent'));
}
const problems = [];
const ready = {};
for (const n of nodes) { try { const r = await fetch(`http://${n.metrics}/readyz`); ready[n.id] = `${r.status} ${await r.text()}`; } catch (e) { ready[n.id] = 'DOWN ' + e.message; } }
console.log('readyz', ready);
const live = nodes.filter((n) => !ready[n.id].startsWith('DOWN'));
const clients = new Map(live.map((n) => [n.id, new RootCoordClient({ endpoints: [n.client], staleReads: true, attemptDeadlineMs: 20000, retryBudgetMs: 20000 })]));
let digests = [];
const useDigest = process.env.DIGEST === "1";
// applied index from /readyz until equal on all live nodes (the Digest RPC serialises the whole catalog: at
// 200,000 collections it blocks a node's request thread for long and its retries pile up; DIGEST=1 asks once per node, no retry)
for (let i = 0; i < 120; i++) {
  digests = await Promise.all(live.map(async (n) => { try { const r = await (await fetch(`http://${n.metrics}/readyz`, { signal: AbortSignal.timeout(10000) })).json(); return `${r.appliedIndex}`; } catch (e) { return 'ERR ' + e.message; } }));
  if (new Set(digests).size === 1 && !digests[0].startsWith('ERR')) break;
  await sleep(1000);
}
console.log('applied', Object.fromEntries(live.map((n, i) => [n.id, digests[i]])));
if (new Set(digests).size !== 1) problems.push('applied index differs after 120s: ' + JSON.stringify(digests));
if (useDigest) {
  const ds = [];
  for (const n of live) { const c = new RootCoordClient({ endpoints: [n.client], staleReads: true, attemptDeadlineMs: 600000, retryBudgetMs: 1 }); const t0 = Date.now();
    try { const r = await c.call('Digest', {}, 'admin'); ds.push(`${r.applied_index}:${r.digest}`); } catch (e) { ds.push('ERR ' + e.message); } console.log(`digest node ${n.id}: ${ds.at(-1)} (${Date.now() - t0} ms)`); c.close(); }
  if (new Set(ds).size !== 1) problems.push('digests differ: ' + JSON.stringify(ds));
}
const dbs = ['default', 'db1', 'db2', 'db3'];
const sets = {};
for (const n of live) {
  const c = clients.get(n.id); sets[n.id] = {};
  for (const db of dbs) { const r = await c.call('ShowCollections', { db_name: db === 'default' ? '' : db, time_stamp: '0' }); sets[n.id][db] = new Set(r.collection_names); }
}
for (const db of dbs) {
  const ref = sets[live[0].id][db];
  console.log(`db ${db}: node ${live[0].id} has ${ref.size}`);
  for (const n of live.slice(1)) { const s = sets[n.id][db]; const miss = [...ref].filter((x) => !s.has(x)), extra = [...s].filter((x) => !ref.has(x));
    if (miss.length || extra.length) problems.push(`db ${db}: node ${n.id} vs ${live[0].id}: missing ${miss.slice(0, 5)} (${miss.length}) extra ${extra.slice(0, 5)} (${extra.length})`); }
}
let checkedC = 0, checkedP = 0, unknown = 0;
for (const n of live) {
  const c = clients.get(n.id); const s = sets[n.id]['default'];
  for (const [name, v] of colls) {
    if (v.state === 'unknown') { unknown++; continue; }
    checkedC++;
    if ((v.state === 'present') !== s.has(name)) problems.push(`node ${n.id}: collection ${name} expected ${v.state} but ${s.has(name) ? 'present' : 'absent'}`);
    if (v.state === 'present' && s.has(name)) {
      const r = await c.call('ShowPartitions', { db_name: '', collection_name: name }); const ps = new Set(r.partition_names);
      for (const [p, st] of v.parts) { if (st === 'unknown') continue; checkedP++; if ((st === 'present') !== ps.has(p)) problems.push(`node ${n.id}: ${name}/${p} expected ${st} but ${ps.has(p) ? 'present' : 'absent'}`); }
      for (const p of ps) if (!v.parts.has(p)) problems.push(`node ${n.id}: ${name}/${p} present but never created`);
    }
  }
}
const fill = new Set(); for (const db of dbs) for (const x of sets[live[0].id][db]) if (/^c\d+$/.test(x)) fill.add(x);
console.log({ opsColls: colls.size, checkedC, checkedP, unknownSkipped: unknown, fillCollections: fill.size });
for (const p of problems.slice(0, 40)) console.log('PROBLEM', p);
console.log(problems.length === 0 ? 'CHECK OK' : `CHECK FAILED (${problems.length} problems)`);
for (const c of clients.values()) c.close();
process.exit(problems.length === 0 ? 0 : 1);
