// catchup.mjs DIR DIST SECONDS: kill -9 a follower, 64 clients write CreatePartition+DropPartition (each on its own
// collection) for SECONDS, then `scripts/cluster start` it and time until its applied index is within 5 of the
// leader's (CreatePartition of new names on collections c{4k + 256 slot}, slot random per run); prints the entries it missed and whether its log shows a snapshot restored.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const [dir, dist, secondsS] = process.argv.slice(2);
const RUN = Date.now().toString(36); const RUN_SLOT = Math.floor(Math.random() * 100);
const { RootCoordClient } = await import(`${dist}/src/client/root-coord-client.js`);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const metric = async (n, name) => { try { const t = await (await fetch(`http://${n.metrics}/metrics`)).text(); const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(t); return m ? Number(m[1]) : null; } catch { return null; } };
const leaders = await Promise.all(cfg.nodes.map((n) => metric(n, 'rootcoord_raft_is_leader')));
const leader = cfg.nodes[leaders.indexOf(1)]; const victim = cfg.nodes.find((n) => n !== leader);
process.kill(victim.pid, 'SIGKILL');
const before = await metric(leader, 'rootcoord_raft_applied_index');
const endAt = performance.now() + Number(secondsS) * 1000; let ok = 0, failed = 0;
await Promise.all(Array.from({ length: 64 }, async (_, k) => {
  const c = new RootCoordClient({ endpoints: [leader.client], attemptDeadlineMs: 30000, retryBudgetMs: 60000 });
  let j = 0;
  while (performance.now() < endAt) {
    const p = `r${RUN}_${j++}`;
    try { await c.call('CreatePartition', { collection_name: `c${4 * k + 256 * RUN_SLOT}`, partition_name: p }); ok++; } catch (e) { if (failed++ < 3) console.error(e.message); }
  }
  c.close?.();
}));
const after = await metric(leader, 'rootcoord_raft_applied_index');
const t0 = performance.now();
execFileSync(`${dist}/../scripts/cluster`, ['start', String(victim.id), '--dir', dir], { stdio: 'ignore' });
const startedMs = performance.now() - t0;
for (;;) {
  const [mine, lead] = [await metric(victim, 'rootcoord_raft_applied_index'), await metric(leader, 'rootcoord_raft_applied_index')];
  if (mine !== null && lead !== null && mine >= lead - 5) break;
  await new Promise((r) => setTimeout(r, 100));
}
const caughtUpMs = performance.now() - t0;
const log = readFileSync(victim.logFile ?? `${dir}/node-${victim.id}.log`, 'utf8').split('\n').slice(-400).join('\n');
console.log(JSON.stringify({ victim: victim.id, ok, failed, entriesMissed: after - before, startedMs: Math.round(startedMs), caughtUpMs: Math.round(caughtUpMs), snapshotRestored: /restored from a snapshot/.test(log), restoreLines: log.split('\n').filter((l) => /snapshot/i.test(l)).slice(-3).map((l) => l.slice(0, 220)) }));
process.exit(0);
