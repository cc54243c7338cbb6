// node startloop.mjs DIR N: kill -9 a node 0.2 to 3 s into its start (while it opens and loads its catalog,
// whose load runs LevelDB compactRange), N times in a row on rotating nodes, with an alter load; the
// crash state checked offline each time; finally every node started and /readyz polled.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const R = process.env.R ?? '/tmp/s35-rev/repo';
const { checkTables } = await import(`${R}/dist/src/meta/leveldb-table-check.js`);
const [D, N] = process.argv.slice(2);
const cluster = () => JSON.parse(readFileSync(`${D}/cluster.json`, 'utf8'));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const readyz = async (n) => { try { const r = await fetch(`http://${n.metrics}/readyz`, { signal: AbortSignal.timeout(1500) }); return r.ok; } catch { return false; } };
const load = spawn('node', ['/tmp/s35-rev/b/alter.mjs', D, '400', '30000'], { env: { ...process.env, R }, stdio: 'ignore' });
const counts = { killsDuringStart: 0, exitedBeforeKill: 0, offlineDamage: 0, offlineSkipped: 0, finalReady: 0, refusedMessages: 0 };
for (let i = 0; i < Number(N); i++) {
  const id = (i % 3) + 1;
  let n = cluster().nodes.find((x) => x.id === id);
  if (alive(n.pid)) { process.kill(n.pid, 'SIGKILL'); while (alive(n.pid)) await sleep(5); }
  const logBefore = readFileSync(n.logFile, 'utf8').length;
  execFileSync('node', [`${R}/dist/scripts/cluster.js`, 'start', String(id), '--dir', D], { stdio: 'ignore' });
  n = cluster().nodes.find((x) => x.id === id);
  await sleep(200 + Math.random() * 2800);
  if (!alive(n.pid)) { counts.exitedBeforeKill++; console.log('EXITED', readFileSync(n.logFile, 'utf8').slice(logBefore).slice(-1500)); break; }
  process.kill(n.pid, 'SIGKILL'); while (alive(n.pid)) await sleep(5);
  counts.killsDuringStart++;
  const newLog = readFileSync(n.logFile, 'utf8').slice(logBefore);
  if (/does not match|must not start on it|CatalogStorageError/.test(newLog)) counts.refusedMessages++;
  try { const r = await checkTables(`${n.dataDir}/meta`); if (r.skipped.length) { counts.offlineSkipped++; console.log('skipped', JSON.stringify(r.skipped)); } } catch (e) { counts.offlineDamage++; console.log('DAMAGE', e.message); }
  // Leave at least two running so that the cluster keeps a quorum: restart the one killed before.
  const prev = cluster().nodes.find((x) => x.id === (((i + 2) % 3) + 1));
  if (!alive(prev.pid)) execFileSync('node', [`${R}/dist/scripts/cluster.js`, 'start', String(prev.id), '--dir', D], { stdio: 'ignore' });
}
for (const n of cluster().nodes) if (!alive(n.pid)) execFileSync('node', [`${R}/dist/scripts/cluster.js`, 'start', String(n.id), '--dir', D], { stdio: 'ignore' });
const t0 = Date.now();
for (const n of cluster().nodes) { while (Date.now() - t0 < 180000 && !(await readyz(n))) await sleep(200); if (await readyz(n)) counts.finalReady++; }
load.kill();
console.log('COUNTS', JSON.stringify(counts));
