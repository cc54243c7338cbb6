// restart.mjs DIR DIST: kill -9 a follower of an idle cluster and start it at once; time to listening and to caught up,
// and its "node started" line (catalog load, Raft start).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const [dir, dist] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const metric = async (n, name) => { try { const t = await (await fetch(`http://${n.metrics}/metrics`)).text(); const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(t); return m ? Number(m[1]) : null; } catch { return null; } };
const leaders = await Promise.all(cfg.nodes.map((n) => metric(n, 'rootcoord_raft_is_leader')));
const leader = cfg.nodes[leaders.indexOf(1)]; const victim = cfg.nodes.find((n) => n !== leader);
process.kill(victim.pid, 'SIGKILL');
await new Promise((r) => setTimeout(r, 500));
const t0 = performance.now();
execFileSync(`${dist}/../scripts/cluster`, ['start', String(victim.id), '--dir', dir], { stdio: 'ignore' });
const startedMs = performance.now() - t0;
for (;;) { const [a, b] = [await metric(victim, 'rootcoord_raft_applied_index'), await metric(leader, 'rootcoord_raft_applied_index')]; if (a !== null && b !== null && a >= b - 5) break; await new Promise((r) => setTimeout(r, 100)); }
const line = readFileSync(`${dir}/node-${victim.id}.log`, 'utf8').split('\n').filter((l) => l.includes('"node started"')).pop();
const { catalogLoadMs, raftStartMs } = JSON.parse(line);
console.log(JSON.stringify({ victim: victim.id, startedMs: Math.round(startedMs), caughtUpMs: Math.round(performance.now() - t0), catalogLoadMs, raftStartMs, walBytes: Number(execFileSync('du', ['-sb', `${dir}/node-${victim.id}/raft`]).toString().split('\t')[0]) }));
process.exit(0);
