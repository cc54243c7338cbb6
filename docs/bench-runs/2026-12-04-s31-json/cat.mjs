import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(p.nodes.map(n => [n.id, n]));
const dt = new Map(); // node id -> total self us
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const cat = {}; const fn = {};
let total = 0;
function category(cf) {
  const u = cf.url;
  if (cf.functionName === '(idle)') return 'idle';
  if (cf.functionName === '(garbage collector)') return 'gc';
  if (cf.functionName === '(program)') return 'program';
  if (u.includes('@grpc/grpc-js')) return 'grpc-js';
  if (u.includes('protobufjs')) return 'protobufjs';
  if (u.includes('node:internal/http2') || u.includes('node:http2')) return 'node-http2';
  if (u.includes('prom-client')) return 'prom-client';
  if (u.includes('level')) return 'level';
  if (u.startsWith('node:')) return 'node-other:' + u.split('/').slice(-1)[0];
  if (u.includes('/dist/src/')) return 'ours:' + u.split('/dist/src/')[1].split('/')[0];
  if (u.includes('/dist/raft/')) return 'ours:raft';
  if (u === '') return 'native:' + cf.functionName;
  return 'other:' + u.split('/').slice(-2).join('/');
}
for (const [id, us] of dt) {
  const cf = byId.get(id).callFrame;
  const c = category(cf); cat[c] = (cat[c] ?? 0) + us; if (c !== 'idle') total += us;
  const k = cf.functionName + ' ' + cf.url.split('/').slice(-1)[0] + ':' + cf.lineNumber; if (c !== 'idle') fn[k] = (fn[k] ?? 0) + us;
}
const agg = {};
for (const [c, us] of Object.entries(cat)) { const top = process.env.DETAIL ? c : c.startsWith('node-other') ? 'node-other' : c.startsWith('native') ? 'native' : c; agg[top] = (agg[top] ?? 0) + us; }
console.log('busy s', (total/1e6).toFixed(1), 'idle s', ((cat.idle??0)/1e6).toFixed(1));
for (const [c, us] of Object.entries(agg).sort((a,b)=>b[1]-a[1])) if (c !== 'idle') console.log(c.padEnd(24), (100*us/total).toFixed(1)+'%');
console.log('--- top functions');
for (const [k, us] of Object.entries(fn).sort((a,b)=>b[1]-a[1]).slice(0, +(process.argv[3] ?? 25))) console.log((100*us/total).toFixed(1).padStart(5)+'%', k);
