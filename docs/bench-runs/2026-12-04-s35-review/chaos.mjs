// node chaos.mjs DIR MODE SECONDS: kill -9 and restart members of the cluster in DIR while a fill runs.
// MODE random: a random member (every third kill: the leader) after 2 to 8 s; MODE compaction: watch the
// target's meta/LOG and kill as soon as LevelDB starts a compaction or a level-0 flush.
// Every kill: the crash state of meta/ is checked offline with checkTables (as the next start will), the
// node restarted with cluster.js start, /readyz polled (180 s); an exit or a checksum/table message counts
// as a refusal. A copy of meta/ is kept for any refusal.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, appendFileSync } from 'node:fs';
const R = process.env.R ?? '/tmp/s35-rev/repo';
const { checkTables } = await import(`${R}/dist/src/meta/leveldb-table-check.js`);
const [D, MODE, SECS] = process.argv.slice(2);
const OUT = `/tmp/s35-rev/b/chaos-${MODE}.jsonl`;
const cluster = () => JSON.parse(readFileSync(`${D}/cluster.json`, 'utf8'));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const readyz = async (n) => { try { const r = await fetch(`http://${n.metrics}/readyz`, { signal: AbortSignal.timeout(1500) }); return { ok: r.ok, body: await r.json().catch(() => null) }; } catch { return { ok: false, body: null }; } };
const leaderId = async () => { for (const n of cluster().nodes) { const r = await readyz(n); if (r.body?.role === 'Leader') return n.id; } return 0; };
const logText = (n) => { try { return readFileSync(`${n.dataDir}/meta/LOG`, 'utf8'); } catch { return ''; } };
/** Where LevelDB was at the kill, by its LOG: mid-compaction, mid-flush, or idle. */
function phase(text) {
  const lines = text.trim().split('\n');
  let compacting = false, flushing = false, manual = false;
  for (const l of lines) {
    if (/Compacting \d+@\d+/.test(l)) compacting = true;
    if (/compacted to:|Compaction error|Moved #/.test(l)) compacting = false;
    if (/Level-0 table #\d+: started/.test(l)) flushing = true;
    if (/Level-0 table #\d+: \d+ bytes/.test(l)) flushing = false;
    if (/Manual compaction/.test(l)) manual = true;
  }
  const generated = (text.match(/Generated table/g) ?? []).length;
  return compacting ? 'mid-compaction' : flushing ? 'mid-flush' : 'idle';
}
const end = Date.now() + Number(SECS) * 1000;
let k = 0; const counts = { kills: 0, ready: 0, refused: 0, notReady: 0, offlineDamage: 0, offlineSkipped: 0, byPhase: {}, leaderKills: 0, orphanTables: 0 };
while (Date.now() < end) {
  k++;
  const c = cluster();
  let target;
  if (MODE === 'random') {
    await sleep(2000 + Math.random() * 6000);
    target = k % 3 === 0 ? await leaderId() : c.nodes[Math.floor(Math.random() * c.nodes.length)].id;
    if (target === 0) target = c.nodes[0].id;
  } else {
    target = k % 3 === 0 ? await leaderId() : c.nodes[Math.floor(Math.random() * c.nodes.length)].id;
    if (target === 0) target = c.nodes[0].id;
    const node = c.nodes.find((n) => n.id === target);
    const before = logText(node).length;
    const deadline = Date.now() + 20000;
    // Poll the LOG every 2 ms for a compaction or flush that starts.
    for (;;) {
      const t = logText(node);
      const added = t.length >= before ? t.slice(before) : t;
      if (/Compacting \d+@\d+|Level-0 table #\d+: started/.test(added)) { await sleep(Math.random() * 30); break; }
      if (Date.now() > deadline) break;
      await sleep(2);
    }
  }
  const node = cluster().nodes.find((n) => n.id === target);
  const wasLeader = (await readyz(node)).body?.role === 'Leader';
  if (!alive(node.pid)) { console.log('not alive?', target); await sleep(1000); continue; }
  process.kill(node.pid, 'SIGKILL');
  while (alive(node.pid)) await sleep(5);
  counts.kills++; if (wasLeader) counts.leaderKills++;
  const p = phase(logText(node));
  counts.byPhase[p] = (counts.byPhase[p] ?? 0) + 1;
  // Offline: what the next start's check will say of this crash state.
  const meta = `${node.dataDir}/meta`;
  let offline;
  try { const r = await checkTables(meta); offline = { ok: true, tables: r.tables, bytes: r.bytes, skipped: r.skipped }; if (r.skipped.length) counts.offlineSkipped++; }
  catch (e) { offline = { ok: false, error: e.message }; counts.offlineDamage++; cpSync(meta, `/tmp/s35-rev/b/evidence-${MODE}-${k}-meta`, { recursive: true }); }
  // Table files no MANIFEST lists (a compaction's output at the kill).
  const files = readdirSync(meta).filter((f) => /\.(ldb|sst)$/.test(f)).length;
  if (offline.ok && files > offline.tables) counts.orphanTables++;
  await sleep(Math.random() * 1500);
  const logBefore = readFileSync(node.logFile, 'utf8').length;
  execFileSync('node', [`${R}/dist/scripts/cluster.js`, 'start', String(target), '--dir', D], { stdio: 'ignore' });
  const pid = cluster().nodes.find((n) => n.id === target).pid;
  const t0 = Date.now(); let outcome = 'notReady';
  while (Date.now() - t0 < 180000) {
    if ((await readyz(node)).ok) { outcome = 'ready'; break; }
    if (!alive(pid)) { outcome = 'refused'; break; }
    await sleep(100);
  }
  const newLog = readFileSync(node.logFile, 'utf8').slice(logBefore);
  const bad = /checksum[^"]*does not match|CatalogStorageError|must not start on it|table \d+\.(ldb|sst)/.test(newLog.replace(/"the catalog's tables match their checksums"/g, ''));
  const skippedWarn = /was not checked against its checksums/.test(newLog);
  if (bad && outcome === 'ready') outcome = 'ready-but-error-logged';
  counts[outcome] = (counts[outcome] ?? 0) + 1;
  const checkLine = newLog.split('\n').find((l) => l.includes("tables match their checksums"));
  const rec = { k, target, wasLeader, phase: p, files, offline, outcome, readyMs: Date.now() - t0, skippedWarn, check: checkLine ? JSON.parse(checkLine) : null, tail: outcome === 'ready' ? undefined : newLog.slice(-2000) };
  appendFileSync(OUT, JSON.stringify(rec) + '\n');
  console.log(`#${k} node ${target}${wasLeader ? ' (leader)' : ''} ${p} files=${files} offline=${offline.ok ? `ok ${offline.tables} tables${offline.skipped.length ? ' SKIPPED' : ''}` : 'DAMAGE ' + offline.error} -> ${outcome} in ${rec.readyMs} ms`);
  if (outcome !== 'ready') break;
}
console.log('COUNTS', JSON.stringify(counts));
