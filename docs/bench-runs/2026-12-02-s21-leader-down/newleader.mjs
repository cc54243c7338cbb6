// Is a new leader slow at first? Sequential CreatePartition: 1000 on the first leader (warm), kill -9, then 300 on the new one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const [root, dir, base] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const { RootCoordClient } = await import(`${root}/dist/src/client/root-coord-client.js`);
const { partitionWriter, percentile } = await import(`${root}/dist/scripts/bench-lib.js`);
const cl = (...a) => execFileSync('node', [`${root}/dist/scripts/cluster.js`, ...a, '--dir', dir], { encoding: 'utf8' });
cl('up', '--base-port', String(base));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function ready(id) { try { const r = await fetch(`http://127.0.0.1:${base + 200 + id}/readyz`, { signal: AbortSignal.timeout(300) }); return await r.json(); } catch { return null; } }
const out = {};
try {
  const client = new RootCoordClient({ endpoints: [1, 2, 3].map((i) => `127.0.0.1:${base + i}`) });
  const write = partitionWriter(client, 'w');
  const timed = async (n) => { const s = []; for (let i = 0; i < n; i++) { const t = performance.now(); try { await write(); } catch { } s.push(performance.now() - t); } return s; };
  const warm = await timed(1000);
  out.warmLast200P50 = percentile(warm.slice(-200), 0.5);
  const s = await Promise.all([1, 2, 3].map(ready));
  const lead = s.find((x) => x?.servingLeader);
  const pid = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8')).nodes.find((x) => x.id === lead.id).pid;
  process.kill(pid, 'SIGKILL');
  for (;;) { const s2 = await Promise.all([1, 2, 3].filter((x) => x !== lead.id).map(ready)); if (s2.some((x) => x?.servingLeader && x.term > lead.term)) break; await sleep(20); }
  await sleep(300);
  const after = await timed(300);
  out.new1to10 = after.slice(0, 10).map((x) => Math.round(x * 10) / 10);
  out.newP50_11_50 = percentile(after.slice(10, 50), 0.5);
  out.newP50_51_300 = percentile(after.slice(50), 0.5);
  client.close();
} finally { cl('down'); }
console.log(JSON.stringify(out));
