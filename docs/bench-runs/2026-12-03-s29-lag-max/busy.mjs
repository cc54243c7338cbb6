// busy.mjs PROFILE [MINMS]: the runs of a thread's CPU profile with no idle sample longer than MINMS
// (default 150 ms), each with its top self functions and its top frames below the event loop's.
import { readFileSync } from 'node:fs';
const [file, minS] = process.argv.slice(2);
const minMs = Number(minS ?? 150);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, '')}:${n.callFrame.lineNumber + 1}`;
const stack = (id) => { const s = []; for (let x = id; x !== undefined; x = parent.get(x)) s.push(byId.get(x)); return s.reverse(); };
let t = prof.startTime;
const times = [];
for (let i = 0; i < prof.samples.length; i++) { t += prof.timeDeltas[i]; times.push(t); }
let runStart = -1;
const runs = [];
for (let i = 0; i < prof.samples.length; i++) {
  const idle = byId.get(prof.samples[i]).callFrame.functionName === '(idle)';
  if (!idle && runStart < 0) runStart = i;
  if (idle && runStart >= 0) { const ms = (times[i] - times[runStart]) / 1000; if (ms >= minMs) runs.push([runStart, i, ms]); runStart = -1; }
}
console.log(`${file}: ${prof.samples.length} samples over ${((times.at(-1) - prof.startTime) / 1e6).toFixed(1)} s; runs without idle >= ${minMs} ms: ${runs.length}`);
for (const [a, b, ms] of runs.sort((x, y) => y[2] - x[2]).slice(0, Number(process.env.RUNS ?? 8))) {
  const self = new Map(), top = new Map();
  for (let i = a; i < b; i++) {
    const s = stack(prof.samples[i]);
    const leaf = label(s.at(-1));
    self.set(leaf, (self.get(leaf) ?? 0) + 1);
    // The first frames under the root that are ours (dist/), or the leaf.
    const ours = s.filter((n) => n.callFrame.url.includes('/dist/')).slice(0, 3).map(label).join(' > ') || leaf;
    top.set(ours, (top.get(ours) ?? 0) + 1);
  }
  const n = b - a;
  console.log(`\n-- ${ms.toFixed(0)} ms at ${((times[a] - prof.startTime) / 1e6).toFixed(2)} s since the profile's start (${n} samples)`);
  console.log('  self:', [...self].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([k, v]) => `${(100 * v / n).toFixed(0)}% ${k}`).join('\n        '));
  console.log('  ours:', [...top].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([k, v]) => `${(100 * v / n).toFixed(0)}% ${k}`).join('\n        '));
}
