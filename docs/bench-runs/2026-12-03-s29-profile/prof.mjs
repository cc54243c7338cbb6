// prof.mjs ROOT DIR BASE WARM N: a fresh 3-node cluster with --cpu-prof on every node (every thread),
// WARM sequential single-client CreatePartition calls, then N timed ones; the profiles' samples taken
// within the N calls' window (CLOCK_MONOTONIC, as V8's profile timestamps) are summed by function
// (self time) per node and thread. Prints p50 and the top functions; leaves the cluster down.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
const [root, dir, base, warm, n] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5] ?? 3000), Number(process.argv[6] ?? 3000)];
const top = Number(process.env.TOP ?? 25);
const { RootCoordClient } = await import(`${root}/dist/src/client/root-coord-client.js`);
const { partitionWriter, percentile } = await import(`${root}/dist/scripts/bench-lib.js`);
const profDir = `${dir}-prof`;
rmSync(dir, { recursive: true, force: true });
rmSync(profDir, { recursive: true, force: true });
mkdirSync(profDir, { recursive: true });
const env = { ...process.env, ROOTCOORD_NODE_FLAGS: `${process.env.FLAGS ?? ''} --cpu-prof --cpu-prof-dir=${profDir} --cpu-prof-interval=200` };
const cl = (...a) => execFileSync('node', [`${root}/dist/scripts/cluster.js`, ...a, '--dir', dir], { encoding: 'utf8', env });
cl('up', '--base-port', String(base));
const pids = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8')).nodes.map((x) => x.pid);
let window;
let samples;
try {
  const client = new RootCoordClient({ endpoints: [1, 2, 3].map((i) => `127.0.0.1:${base + i}`) });
  const write = partitionWriter(client, 'w');
  const timed = async (k) => { const s = []; for (let i = 0; i < k; i++) { const t = performance.now(); await write(); s.push(performance.now() - t); } return s; };
  await timed(warm);
  const t0 = process.hrtime.bigint() / 1000n;
  samples = await timed(n);
  const t1 = process.hrtime.bigint() / 1000n;
  window = [Number(t0), Number(t1)];
  client.close();
} finally {
  cl('down');
}
// The leader: the node whose request thread was busiest; label by pid order.
const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
const rows = [];
for (const f of files) {
  const [, , , pid, tid] = f.split('.');
  const prof = JSON.parse(readFileSync(`${profDir}/${f}`, 'utf8'));
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map();
  let t = prof.startTime;
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i];
    if (t < window[0] || t > window[1]) continue;
    const next = i + 1 < prof.timeDeltas.length ? prof.timeDeltas[i + 1] : 0;
    const node = byId.get(prof.samples[i]);
    const cf = node.callFrame;
    const name = cf.functionName || '(anon)';
    if (name === '(idle)' || name === '(program)' && false) continue;
    const key = `${name} ${cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, '')}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + next);
    total += next;
  }
  rows.push({ node: pids.indexOf(Number(pid)) + 1, tid: Number(tid), totalMsPerCall: total / 1000 / n, self });
}
console.log(JSON.stringify({ p50: percentile(samples, 0.5), p90: percentile(samples, 0.9), n }));
rows.sort((a, b) => a.node - b.node || a.tid - b.tid);
for (const r of rows) {
  console.log(`\n== node ${r.node} thread ${r.tid}: ${r.totalMsPerCall.toFixed(3)} ms per call (non-idle samples)`);
  const list = [...r.self].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, us] of list) console.log(`${(us / 1000 / n * 1000).toFixed(1).padStart(7)} µs  ${k}`);
}
rmSync(dir, { recursive: true, force: true });
