// checkmem.mjs DIR [DIST]: one replica check (CheckReplicas) while one client writes CreatePartition+DropPartition
// and another allocates timestamps sequentially, /readyz probed on every node; waits until every node has compared
// its memory with its own store (rootcoord_replica_memory_checks_total rises) and reports: each node's time to that,
// its result, the worst latencies during it against the 3 s before, each node's event-loop lag (prom-client's max
// and p99 since the previous scrape, every 250 ms: the largest of each over the window), RSS before and its peak
// during,
// the major GCs' count and time during it, and the Raft terms before and after. DIST: the build whose client it
// uses (default /work/main/dist). WAIT_MS: wait that long instead (a build without memory checks, for a baseline).
import { readFileSync } from 'node:fs';
const [dir, dist = '/work/main/dist', waitMs] = process.argv.slice(2);
const { RootCoordClient } = await import(`${dist}/src/client/root-coord-client.js`);
const { createCollectionRequest } = await import(`${dist}/scripts/bench-lib.js`);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const metrics = async (n) => await (await fetch(`http://${n.metrics}/metrics`)).text();
const val = (text, name) => Number((text.match(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm')) ?? [])[1] ?? 0);
const memoryChecks = (t) => Object.fromEntries(['same', 'different', 'unavailable'].map((r) => [r, val(t, `rootcoord_replica_memory_checks_total{result="${r}"}`)]));
const sum = (o) => o.same + o.different + o.unavailable;
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
const start = await Promise.all(cfg.nodes.map(metrics)); // resets the lag statistics
const countsBefore = start.map(memoryChecks);
const gc = (t) => [val(t, 'nodejs_gc_duration_seconds_count{kind="major"}'), val(t, 'nodejs_gc_duration_seconds_sum{kind="major"}')];
const gcBefore = start.map(gc);
const rssBefore = start.map((t) => Math.round(val(t, 'process_resident_memory_bytes') / 2 ** 20));
const rssPeak = [...rssBefore];
const lagMax = cfg.nodes.map(() => 0); const lagP99 = cfg.nodes.map(() => 0);
const t0 = performance.now();
const check = await c.call('CheckReplicas', {}, 'admin');
const checkMs = performance.now() - t0;
const doneMs = cfg.nodes.map(() => null); const result = cfg.nodes.map(() => null);
let last = start;
while ((waitMs === undefined ? doneMs.some((d) => d === null) : performance.now() - t0 < Number(waitMs)) && performance.now() - t0 < 600_000) {
  await new Promise((r) => setTimeout(r, 250));
  last = await Promise.all(cfg.nodes.map(metrics));
  last.forEach((t, i) => {
    rssPeak[i] = Math.max(rssPeak[i], Math.round(val(t, 'process_resident_memory_bytes') / 2 ** 20));
    lagMax[i] = Math.max(lagMax[i], Math.round(val(t, 'nodejs_eventloop_lag_max_seconds') * 1000)); lagP99[i] = Math.max(lagP99[i], Math.round(val(t, 'nodejs_eventloop_lag_p99_seconds') * 1000));
    const now = memoryChecks(t);
    if (doneMs[i] === null && sum(now) > sum(countsBefore[i])) { doneMs[i] = Math.round(performance.now() - t0); result[i] = Object.keys(now).find((k) => now[k] > countsBefore[i][k]); }
  });
}
done = true; await Promise.all(loops);
const r = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
console.log(JSON.stringify({ leader: leader.id, index: check.index, checkMs: Math.round(checkMs), memoryCheckDoneMs: doneMs, result, worstDuringMs: r(worst), worstBeforeMs: r(before), writesDuring: writes, timestampsDuring: tss,
  lagMaxMs: lagMax, lagP99MaxOf250msMs: lagP99,
  majorGcs: last.map((t, i) => gc(t)[0] - gcBefore[i][0]), majorGcMs: last.map((t, i) => Math.round((gc(t)[1] - gcBefore[i][1]) * 1000)),
  rssBeforeMiB: rssBefore, rssPeakMiB: rssPeak, termsBefore, termsAfter: last.map((t) => val(t, 'rootcoord_raft_term')) }));
c.close(); process.exit(0);
