import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2])); const pat = process.argv[3];
const byId = new Map(p.nodes.map(n => [n.id, n]));
const dt = new Map(); for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
let busy = 0; const fn = {};
for (const [id, us] of dt) { const cf = byId.get(id).callFrame; if (cf.functionName === '(idle)') continue; busy += us; if (!cf.url.includes(pat)) continue; const k = cf.functionName + ' ' + cf.url.split('/').slice(-2).join('/') + ':' + cf.lineNumber; fn[k] = (fn[k] ?? 0) + us; }
for (const [k, us] of Object.entries(fn).sort((a,b)=>b[1]-a[1]).slice(0, 15)) console.log((100*us/busy).toFixed(2).padStart(6)+'%', k);
