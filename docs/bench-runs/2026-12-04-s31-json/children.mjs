import fs from 'node:fs';
const [,, file, name, depthArg] = process.argv; const maxDepth = +(depthArg ?? 1);
const p = JSON.parse(fs.readFileSync(file));
const byId = new Map(p.nodes.map(n => [n.id, n])); const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map(); for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
let busy = 0; const by = {};
for (const [id, us] of dt) { if (byId.get(id).callFrame.functionName === '(idle)') continue; busy += us;
  const chain = []; let q = id; while (q !== undefined) { chain.push(q); q = parent.get(q); }
  const at = chain.findIndex((x) => byId.get(x).callFrame.functionName === name); if (at < 0) continue;
  const below = chain.slice(Math.max(0, at - maxDepth), at).reverse().map((x) => { const f = byId.get(x).callFrame; return f.functionName + '@' + f.url.split('/').slice(-1)[0] + ':' + f.lineNumber; });
  const k = below.length ? below.join(' > ') : '(self)'; by[k] = (by[k] ?? 0) + us; }
for (const [k, us] of Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0, 12)) console.log((100*us/busy).toFixed(2).padStart(6)+'%', k);
