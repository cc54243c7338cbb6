// threads.mjs ROOT DIR BASEPORT BLOCKS [BLOCK]: a fresh 3-node cluster of ROOT's build; one client sends
// BLOCKS blocks of BLOCK (500) sequential CreatePartition calls; after each block, the p50 and the CPU
// per call of every thread of every node (/proc/PID/task/TID/stat: utime+stime), over 0.02 ms.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
const [root, dir, base, blocks, block] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6] ?? 500)];
const { RootCoordClient } = await import(`${root}/dist/src/client/root-coord-client.js`);
const { partitionWriter, percentile } = await import(`${root}/dist/scripts/bench-lib.js`);
const cl = (...a) => execFileSync('node', [`${root}/dist/scripts/cluster.js`, ...a, '--dir', dir], { encoding: 'utf8' });
rmSync(dir, { recursive: true, force: true });
cl('up', '--base-port', String(base));
const nodes = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8')).nodes;
/** CPU ms by "node/thread name". */
const sample = () => {
  const out = {};
  for (const n of nodes) {
    for (const tid of readdirSync(`/proc/${n.pid}/task`)) {
      let stat;
      try { stat = readFileSync(`/proc/${n.pid}/task/${tid}/stat`, 'utf8'); } catch { continue; }
      // Every thread is named "node": the main (request) thread is the one whose TID is the PID; the
      // others by TID (the Raft thread is the busiest of them).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = `${n.id}/${String(n.pid) === tid ? 'main' : `t${tid}`}`;
      out[key+"/u"] = (out[key+"/u"] ?? 0) + Number(f[11]) * 10; out[key+"/s"] = (out[key+"/s"] ?? 0) + Number(f[12]) * 10;
    }
  }
  return out;
};
try {
  const client = new RootCoordClient({ endpoints: nodes.map((n) => n.client) });
  const write = partitionWriter(client, 'w');
  for (let b = 0; b < blocks; b++) {
    const before = sample(); const t0us = Number(process.hrtime.bigint()/1000n);
    const s = [];
    for (let i = 0; i < block; i++) { const t = performance.now(); await write(); s.push(performance.now() - t); }
    const after = sample();
    const perCall = Object.fromEntries(Object.keys(after).map((k) => [k, Math.round(((after[k] - (before[k] ?? 0)) / block) * 1000) / 1000]).filter(([, v]) => v > 0.02).sort((a, b) => b[1] - a[1]));
    const sum = Object.values(perCall).reduce((a, b) => a + b, 0);
    console.log(JSON.stringify({ t0us, t1us: Number(process.hrtime.bigint()/1000n), block: b + 1, p50: Math.round(percentile(s, 0.5) * 1000) / 1000, cpuSum: Math.round(sum * 1000) / 1000, perCall }));
  }
  client.close();
} finally { cl('down'); rmSync(dir, { recursive: true, force: true }); }
