// node single.mjs DIR WARM N: sequential single-client CreatePartition to the leader, p50 of the last N
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '/work/main/dist/src/client/root-coord-client.js';
import { partitionWriter } from '/work/main/dist/scripts/bench-lib.js';
const [dir, warmS, nS] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const st = await Promise.all(cfg.nodes.map(async (n) => /^rootcoord_raft_is_leader 1/m.test(await (await fetch(`http://${n.metrics}/metrics`)).text())));
const client = new RootCoordClient({ endpoints: [cfg.nodes[st.indexOf(true)].client] });
const write = partitionWriter(client, 'single');
for (let i = 0; i < Number(warmS); i++) await write();
const t = [];
for (let i = 0; i < Number(nS); i++) { const t0 = performance.now(); await write(); t.push(performance.now() - t0); }
t.sort((a, b) => a - b);
console.log(`p50 ${t[Math.floor(t.length / 2)].toFixed(3)} p90 ${t[Math.floor(t.length * 0.9)].toFixed(3)}`);
process.exit(0);
