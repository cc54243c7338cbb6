// Idle 3-node cluster: kill -9 the leader N times; time to a serving leader of a higher term (poll /readyz every 5 ms).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const [root, dir, base, n] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5] ?? 10)];
const cl = (...a) => execFileSync('node', [`${root}/dist/scripts/cluster.js`, ...a, '--dir', dir], { encoding: 'utf8' });
cl('up', '--base-port', String(base));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function ready(id) {
  try { const r = await fetch(`http://127.0.0.1:${base + 200 + id}/readyz`, { signal: AbortSignal.timeout(200) }); return await r.json(); } catch { return null; }
}
const out = [];
for (let i = 0; i < n; i++) {
  let lead = null;
  for (;;) { const s = await Promise.all([1, 2, 3].map(ready)); lead = s.find((x) => x?.servingLeader); if (lead && s.every((x) => x?.ready)) break; await sleep(100); }
  await sleep(1500);
  const state = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
  const pid = state.nodes.find((x) => x.id === lead.id).pid;
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  let t = null; let term = null; let by = null;
  while (performance.now() - t0 < 10000) {
    const s = await Promise.all([1, 2, 3].filter((x) => x !== lead.id).map(ready));
    const nl = s.find((x) => x?.servingLeader && x.term > lead.term);
    if (nl) { t = performance.now() - t0; term = nl.term; by = nl.id; break; }
    await sleep(5);
  }
  out.push({ at: new Date(performance.timeOrigin + t0).toISOString(), ms: Math.round(t), termRise: term - lead.term, newLeader: by, old: lead.id });
  console.log(JSON.stringify(out.at(-1)));
  cl('start', String(lead.id));
}
// cl('down');
const ms = out.map((o) => o.ms).sort((a, b) => a - b);
console.log('median', ms[Math.floor(ms.length / 2)], 'all', ms.join(','), 'splits', out.filter((o) => o.termRise > 1).length);
