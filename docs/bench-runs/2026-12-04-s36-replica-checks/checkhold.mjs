// checkhold.mjs DIR: a replica check (CheckReplicas, then every node's Digest at the mark) while one client writes
// CreatePartition+DropPartition and another allocates timestamps sequentially, /readyz probed on every node;
// reports the check's times, the worst latencies during it against the 3 s before, each node's event-loop lag
// (prom-client's max and p99 over the window: a scrape before resets them), and the Raft terms before and after.
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '/work/main/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/work/main/dist/scripts/bench-lib.js';
const dir = process.argv[2];
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const metrics = async (n) => await (await fetch(`http://${n.metrics}/metrics`)).text();
const val = (text, name) => Number((text.match(new RegExp(`^${name} (\\S+)$`, 'm')) ?? [])[1]);
const texts = await Promise.all(cfg.nodes.map(metrics));
const leader = cfg.nodes[texts.findIndex((t) => val(t, 'rootcoord_raft_is_leader') === 1)];
const termsBefore = texts.map((t) => val(t, 'rootcoord_raft_term'));
const c = new RootCoordClient({ endpoints: [leader.client], attemptDeadlineMs: 300000, retryBudgetMs: 1 });
await c.call('CreateCollection', createCollectionRequest('hold')).catch(() => {});
let done = false; const worst = { ready: 0, write: 0, ts: 0 }; let writes = 0, tss = 0;
const loop = async (key, fn) => { while (!done) { const t = performance.now(); await fn().catch(() => {}); worst[key] = Math.max(worst[key], performance.now() - t); if (key === 'write') writes++; if (key === 'ts') tss++; if (key === 'ready') await new Promise((r) => setTimeout(r, 50)); } };
let p = 0;
const loops = [...cfg.nodes.map((n) => loop('ready', () => fetch(`http://${n.metrics}/readyz`))), loop('write', () => c.call('CreatePartition', { collection_name: 'hold', partition_name: `p${p++ % 50}` }).then(() => c.call('DropPartition', { collection_name: 'hold', partition_name: `p${(p - 1) % 50}` }))), loop('ts', () => c.call('AllocTimestamp', { count: 1 }))];
await new Promise((r) => setTimeout(r, 3000));
const before = { ...worst }; for (const k in worst) worst[k] = 0; writes = 0; tss = 0;
await Promise.all(cfg.nodes.map(metrics)); // resets the lag statistics
const t0 = performance.now();
const check = await c.call('CheckReplicas', {}, 'admin');
const checkMs = performance.now() - t0;
const digests = await Promise.all(cfg.nodes.map(async (n) => { const m = new RootCoordClient({ endpoints: [n.client], attemptDeadlineMs: 300000, retryBudgetMs: 1 }); try { const d = await m.call('Digest', { index: check.index }, 'admin'); return { node: n.id, same: d.digest === check.digest, ms: Math.round(performance.now() - t0) }; } finally { m.close(); } }));
const allMs = performance.now() - t0;
const after = await Promise.all(cfg.nodes.map(metrics));
done = true; await Promise.all(loops);
const r = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
console.log(JSON.stringify({ leader: leader.id, index: check.index, checkMs: Math.round(checkMs), everyDigestMs: Math.round(allMs), digests, worstDuringMs: r(worst), worstBeforeMs: r(before), writesDuring: writes, timestampsDuring: tss,
  lagMaxMs: after.map((t) => Math.round(val(t, 'nodejs_eventloop_lag_max_seconds') * 1000)), lagP99Ms: after.map((t) => Math.round(val(t, 'nodejs_eventloop_lag_p99_seconds') * 1000)),
  termsBefore, termsAfter: after.map((t) => val(t, 'rootcoord_raft_term')), diverged: after.map((t) => val(t, 'rootcoord_replica_diverged')) }));
c.close(); process.exit(0);
