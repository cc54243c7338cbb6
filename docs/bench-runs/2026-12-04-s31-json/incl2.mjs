// inclusive time of frames matching NAME, grouped by the first caller outside FILE
import fs from 'node:fs';
const [,, file, name, skip] = process.argv;
const p = JSON.parse(fs.readFileSync(file));
const byId = new Map(p.nodes.map(n => [n.id, n])); const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map(); for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
let busy = 0; const by = {};
for (const [id, us] of dt) { if (byId.get(id).callFrame.functionName === '(idle)') continue; busy += us;
  let q = id; let hit = null; while (q !== undefined) { const f = byId.get(q).callFrame; if (f.functionName === name) hit = q; q = parent.get(q); }
  if (hit === null) continue; q = parent.get(hit);
  while (q !== undefined && byId.get(q).callFrame.url.includes(skip)) q = parent.get(q);
  const f = q === undefined ? { functionName: '?', url: '', lineNumber: 0 } : byId.get(q).callFrame;
  const k = f.functionName + '@' + f.url.split('/').slice(-1)[0] + ':' + f.lineNumber; by[k] = (by[k] ?? 0) + us; }
let tot = 0; for (const v of Object.values(by)) tot += v;
console.log(name, 'inclusive', (100*tot/busy).toFixed(2) + '%');
for (const [k, us] of Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0, 10)) console.log((100*us/busy).toFixed(2).padStart(6)+'%', k);
