// node burst.mjs DIR ROUNDS: each round, a 20 s burst of alters (alter.mjs, 64 clients), then at once kill -9
// one node (rotating; every third round the leader; the last two rounds all three nodes at once), while
// LevelDB compacts what the burst wrote. Then the offline check of each crash state, cluster.js start,
// and /readyz (180 s).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, appendFileSync, readdirSync } from 'node:fs';
const R = process.env.R ?? '/tmp/s35-rev/repo';
const { checkTables } = await import(`${R}/dist/src/meta/leveldb-table-check.js`);
const [D, ROUNDS] = process.argv.slice(2);
const cluster = () => JSON.parse(readFileSync(`${D}/cluster.json`, 'utf8'));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const readyz = async (n) => { try { const r = await fetch(`http://${n.metrics}/readyz`, { signal: AbortSignal.timeout(1500) }); return { ok: r.ok, body: await r.json().catch(() => null) }; } catch { return { ok: false, body: null }; } };
const lastLines = (n) => { try { return readFileSync(`${n.dataDir}/meta/LOG`, 'utf8').trim().split('\n').slice(-3).map((l) => l.slice(27, 110)); } catch { return []; } };
const counts = { rounds: 0, kills: 0, ready: 0, refused: 0, notReady: 0, offlineDamage: 0, offlineSkipped: 0, compactingAtKill: 0 };
for (let round = 1; round <= Number(ROUNDS); round++) {
  spawnSync('node', ['/tmp/s35-rev/b/alter.mjs', D, '20', '30000'], { env: { ...process.env, R }, stdio: 'ignore' });
  const c = cluster();
  let targets;
  if (round > Number(ROUNDS) - 2) targets = c.nodes;
  else if (round % 3 === 0) { let l = null; for (const n of c.nodes) if ((await readyz(n)).body?.role === 'Leader') l = n; targets = [l ?? c.nodes[0]]; }
  else targets = [c.nodes[round % c.nodes.length]];
  const at = targets.map((n) => ({ n, log: lastLines(n) }));
  for (const n of targets) process.kill(n.pid, 'SIGKILL');
  for (const n of targets) while (alive(n.pid)) await sleep(5);
  counts.rounds++;
  for (const { n, log } of at) {
    counts.kills++;
    const compacting = log.some((l) => /Compacting|Level-0 table #\d+: started|Generated table/.test(l));
    if (compacting) counts.compactingAtKill++;
    let offline; try { const r = await checkTables(`${n.dataDir}/meta`); offline = `ok ${r.tables} tables${r.skipped.length ? ' SKIPPED ' + JSON.stringify(r.skipped) : ''}`; if (r.skipped.length) counts.offlineSkipped++; } catch (e) { offline = 'DAMAGE ' + e.message; counts.offlineDamage++; }
    const files = readdirSync(`${n.dataDir}/meta`).filter((f) => /\.(ldb|sst)$/.test(f)).length;
    console.log(`round ${round} node ${n.id}: LOG at kill: ${JSON.stringify(log)}; files ${files}; offline ${offline}`);
  }
  const started = [];
  for (const { n } of at) { execFileSync('node', [`${R}/dist/scripts/cluster.js`, 'start', String(n.id), '--dir', D], { stdio: 'ignore' }); started.push(cluster().nodes.find((x) => x.id === n.id)); }
  const t0 = Date.now();
  for (const n of started) {
    let outcome = 'notReady';
    while (Date.now() - t0 < 180000) { if ((await readyz(n)).ok) { outcome = 'ready'; break; } if (!alive(n.pid)) { outcome = 'refused'; break; } await sleep(100); }
    counts[outcome]++;
    console.log(`round ${round} node ${n.id} -> ${outcome} after ${Date.now() - t0} ms`);
    if (outcome !== 'ready') console.log(readFileSync(n.logFile, 'utf8').slice(-1500));
  }
}
console.log('COUNTS', JSON.stringify(counts));
