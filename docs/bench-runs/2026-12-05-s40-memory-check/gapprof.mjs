// gapprof.mjs PROFILE GAPS_JSON_LINE_FILE: for each gap over 40 ms, the functions on the stack in most samples of that window.
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2]));
const r = JSON.parse(readFileSync(process.argv[3], 'utf8').trim().split('\n').pop());
const byId = new Map(p.nodes.map((n) => [n.id, n])); const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
let t = 0; const samples = [];
for (let i = 0; i < p.samples.length; i++) { t += p.timeDeltas[i]; samples.push([t / 1000, p.samples[i]]); }
const end = samples[samples.length - 1][0];
const offset = end - r.checkMs; // the check ends about when the profile stops
for (const [start, len] of r.gapsOver30ms.filter((g) => g[1] > 40)) {
  const incl = new Map(); let n = 0;
  for (const [ts, id] of samples) {
    if (ts < start + offset || ts > start + offset + len) continue; n++;
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) { const f = byId.get(x).callFrame; const k = `${f.functionName || '(anon)'}@${f.url.split('/').slice(-1)[0]}:${f.lineNumber}`; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + 1); } }
  }
  console.log(`gap at ${start} ms, ${len} ms, ${n} samples:`, [...incl].sort((a, b) => b[1] - a[1]).filter(([k]) => !k.startsWith('(root)')).slice(0, 8).map(([k, c]) => `${k} ${c}`).join(' | '));
}
