import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2])); const target = process.argv[3];
const byId = new Map(p.nodes.map(n => [n.id, n])); const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map(); for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const by = {}; let tot = 0;
for (const [id, us] of dt) { const n = byId.get(id); if (n.callFrame.functionName !== target) continue; tot += us;
  let chain = []; let q = parent.get(id); for (let d = 0; d < +(process.argv[4] ?? 2) && q !== undefined; d++) { const f = byId.get(q).callFrame; chain.push(f.functionName + '@' + f.url.split('/').slice(-1)[0] + ':' + f.lineNumber); q = parent.get(q); }
  const k = chain.join(' < '); by[k] = (by[k] ?? 0) + us; }
console.log(target, 'total ms', (tot/1000).toFixed(0));
for (const [k, us] of Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0, 15)) console.log((us/1000).toFixed(0).padStart(6), k);
