import { readFileSync } from 'node:fs';
const [file, sliceMs = '200', topN = '4', fromMs = '0', toMs = '1e9'] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
let t = p.startTime; const slices = new Map(); const total = new Map();
const incl = new Map();
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  const ms = (t - p.startTime) / 1000;
  if (ms < Number(fromMs) || ms > Number(toMs)) continue;
  const n = byId.get(p.samples[i]); const k = key(n);
  const s = Math.floor(ms / Number(sliceMs));
  if (!slices.has(s)) slices.set(s, new Map());
  const m = slices.get(s); m.set(k, (m.get(k) ?? 0) + 1); total.set(k, (total.get(k) ?? 0) + 1);
  const seen = new Set(); let id = n.id; while (id !== undefined) { const kk = key(byId.get(id)); if (!seen.has(kk)) { seen.add(kk); incl.set(kk, (incl.get(kk) ?? 0) + 1); } id = parent.get(id); }
}
const interval = (p.endTime - p.startTime) / p.samples.length / 1000;
console.log('duration ms', ((p.endTime - p.startTime) / 1000).toFixed(0), 'interval ms', interval.toFixed(3));
for (const [s, m] of [...slices].sort((a, b) => a[0] - b[0])) {
  const top = [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(topN)).map(([k, v]) => `${(v * interval).toFixed(0)}ms ${k}`);
  const idle = (m.get('(idle) :0') ?? 0) * interval;
  console.log(`${String(s * Number(sliceMs)).padStart(6)}: idle ${idle.toFixed(0)} | ${top.join(' | ')}`);
}
if (process.env.INCL) { console.log('--- inclusive'); for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.INCL))) console.log((v * interval).toFixed(0).padStart(6), k); }
