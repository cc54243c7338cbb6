// node tc.mjs BUILD DIR N : single-client CreatePartition to the leader, traced
import { readFileSync } from 'node:fs';
const [build, dir, nS] = process.argv.slice(2);
const { RootCoordClient } = await import(`${build}/dist/src/client/root-coord-client.js`);
const { SCHEMA2 } = await import(`${build}/dist/scripts/bench-lib.js`);
let tr = () => {}; try { tr = (await import(`${build}/dist/raft/trace.js`)).tr; } catch {}
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const st = await Promise.all(cfg.nodes.map(async (n) => /^rootcoord_raft_is_leader 1/m.test(await (await fetch(`http://${n.metrics}/metrics`)).text())));
const endpoints = [cfg.nodes[st.indexOf(true)].client];
const client = new RootCoordClient({ endpoints, attemptDeadlineMs: 30000, retryBudgetMs: 120000 });
const N = Number(nS ?? 2000); const lat = [];
let k = 0; const run = Date.now(); let coll = '';
for (let i = 0; i < N; i++) {
  if (i % 500 === 0) { coll = `tc${run}_${k++}`; await client.createCollection(coll, SCHEMA2); }
  const t0 = performance.now(); tr('c-send');
  await client.createPartition(coll, `p${i % 500}`);
  tr('c-recv'); lat.push(performance.now() - t0);
}
lat.sort((a, b) => a - b);
console.log('p50', lat[N >> 1].toFixed(3), 'p90', lat[Math.floor(N * 0.9)].toFixed(3));
await new Promise((r) => setTimeout(r, 700));
process.exit(0);
