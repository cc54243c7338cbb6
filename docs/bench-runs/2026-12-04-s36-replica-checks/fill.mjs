// node /tmp/s11/fill.mjs DIR TARGET FROM : fill collections c{FROM..TARGET-1} with 64 clients
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '/work/main/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/work/main/dist/scripts/bench-lib.js';
const [dir, targetS, fromS] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const all = cfg.nodes.map((n) => n.client); const st = await Promise.all(cfg.nodes.map(async (n) => /^rootcoord_raft_is_leader 1/m.test(await (await fetch(`http://${n.metrics}/metrics`)).text()))); const endpoints = [all[st.indexOf(true)]]; if (endpoints[0] === undefined) throw new Error("no leader");
const target = Number(targetS), from = Number(fromS ?? 0);
const dbs = ['default', 'db1', 'db2', 'db3'];
const client = new RootCoordClient({ endpoints, attemptDeadlineMs: 30000, retryBudgetMs: 120000 });
if (from === 0) for (const db of dbs.slice(1)) await client.createDatabase(db).catch((e) => console.log('db', e.message));
let next = from, done = 0, errs = 0; const t0 = performance.now();
const tick = setInterval(() => console.log(`${done} in ${((performance.now() - t0) / 1000).toFixed(0)}s errs ${errs}`), 10000);
await Promise.all(Array.from({ length: 64 }, async () => {
  const c = new RootCoordClient({ endpoints, attemptDeadlineMs: 30000, retryBudgetMs: 120000 });
  for (;;) { const i = next++; if (i >= target) break; const db = dbs[i % 4];
    try { await c.call('CreateCollection', createCollectionRequest(`c${i}`, { db: db === 'default' ? '' : db })); done++; } catch (e) { errs++; if (errs < 5) console.log(e.message); } }
  c.close?.();
}));
clearInterval(tick);
console.log(`DONE ${done} in ${((performance.now() - t0) / 1000).toFixed(1)}s errs ${errs}`);
process.exit(0);
