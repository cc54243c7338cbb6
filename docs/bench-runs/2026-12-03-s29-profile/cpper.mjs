// cpper.mjs ROOT DIR BASE N (PER=partitions per collection, 500 as scripts/bench): only CreatePartition timed; a fresh 3-node cluster, single-client sequential CreatePartition: N warm-up, then N timed; prints p50; leaves the cluster down
import { execFileSync } from 'node:child_process';
const [root, dir, base, n] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5] ?? 2000)];
const { RootCoordClient } = await import(`${root}/dist/src/client/root-coord-client.js`);
const { percentile, SCHEMA2 } = await import(`${root}/dist/scripts/bench-lib.js`);
const per = Number(process.env.PER ?? 500);
const partitionWriter = (client, prefix) => { let written = 0; return async () => { const slot = Math.floor(written / per); if (written % per === 0) await client.createCollection(`${prefix}${slot}`, SCHEMA2); const t = performance.now(); await client.createPartition(`${prefix}${slot}`, `p${written++ % per}`); return performance.now() - t; }; };
const cl = (...a) => execFileSync('node', [`${root}/dist/scripts/cluster.js`, ...a, '--dir', dir], { encoding: 'utf8' });
import { rmSync } from 'node:fs';
rmSync(dir, { recursive: true, force: true });
cl('up', '--base-port', String(base));
try {
  const client = new RootCoordClient({ endpoints: [1, 2, 3].map((i) => `127.0.0.1:${base + i}`) });
  const write = partitionWriter(client, 'w');
  const timed = async (k) => { const s = []; for (let i = 0; i < k; i++) s.push(await write()); return s; };
  const { readFileSync } = await import('node:fs');
  const cpu = () => JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8')).nodes.map((x) => { const f = readFileSync(`/proc/${x.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; });
  await timed(n);
  const c0 = cpu();
  const s = await timed(n);
  const c1 = cpu();
  const cpuPerCall = c1.map((v, i) => Math.round(((v - c0[i]) / n) * 1000) / 1000);
  console.log(JSON.stringify({ cpuMsPerCall: cpuPerCall, cpuSum: Math.round(cpuPerCall.reduce((a, b) => a + b, 0) * 1000) / 1000, p50: Math.round(percentile(s, 0.5) * 1000) / 1000, p90: Math.round(percentile(s, 0.9) * 1000) / 1000 }));
  client.close();
} finally { cl('down'); rmSync(dir, { recursive: true, force: true }); }
