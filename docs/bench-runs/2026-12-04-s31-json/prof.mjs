// prof.mjs COMMAND PROFILE [ARGS]: read a V8 .cpuprofile (node --cpu-prof) of one thread; shares are of its non-idle samples.
//   summary PROFILE [N]          self time by where the code lives (ours:<dir>, grpc-js, node-http2, gc, ...), then the top N functions (DETAIL=1: node's and native parts apart)
//   in-file PROFILE PATTERN      the functions whose script URL contains PATTERN, by self time
//   callers PROFILE NAME [DEPTH] self time of functions named NAME by their chain of DEPTH callers (default 2)
//   inclusive PROFILE NAME [SKIP] inclusive time of NAME, by the first caller whose URL does not contain SKIP
//   children PROFILE NAME [DEPTH] inclusive time of NAME, by the chain of DEPTH callees under it (default 1)
import fs from 'node:fs';
const [command, file, arg, arg2] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map();
for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const frame = (id) => byId.get(id).callFrame;
const label = (f) => `${f.functionName}@${f.url.split('/').slice(-1)[0]}:${f.lineNumber}`;
const stack = (id) => { const out = []; for (let q = id; q !== undefined; q = parent.get(q)) out.push(q); return out; };
let busy = 0;
for (const [id, us] of selfUs) if (frame(id).functionName !== '(idle)') busy += us;
const pct = (us) => `${((100 * us) / busy).toFixed(2).padStart(6)}%`;
const top = (totals, n = 12) => Object.entries(totals).sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, us]) => console.log(pct(us), k));
const add = (totals, k, us) => (totals[k] = (totals[k] ?? 0) + us);

function category(f) {
  const u = f.url;
  if (f.functionName === '(idle)') return 'idle';
  if (f.functionName === '(garbage collector)') return 'gc';
  if (f.functionName === '(program)') return 'program';
  if (u.includes('@grpc/grpc-js')) return 'grpc-js';
  if (u.includes('protobufjs')) return 'protobufjs';
  if (u.includes('node:internal/http2') || u.includes('node:http2')) return 'node-http2';
  if (u.includes('prom-client')) return 'prom-client';
  if (u.includes('level')) return 'level';
  if (u.startsWith('node:')) return process.env.DETAIL ? `node-other:${u.split('/').slice(-1)[0]}` : 'node-other';
  if (u.includes('/dist/src/')) return `ours:${u.split('/dist/src/')[1].split('/')[0]}`;
  if (u.includes('/dist/raft/')) return 'ours:raft';
  if (u === '') return process.env.DETAIL ? `native:${f.functionName}` : 'native';
  return `other:${u.split('/').slice(-2).join('/')}`;
}

const totals = {};
if (command === 'summary' || command === 'in-file') {
  const functions = {};
  for (const [id, us] of selfUs) {
    const f = frame(id);
    const c = category(f);
    if (c === 'idle') continue;
    if (command === 'in-file' && !f.url.includes(arg)) continue;
    add(totals, c, us);
    add(functions, command === 'in-file' ? `${f.functionName} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}` : `${f.functionName} ${f.url.split('/').slice(-1)[0]}:${f.lineNumber}`, us);
  }
  if (command === 'summary') {
    console.log('busy s', (busy / 1e6).toFixed(1), 'idle s', ((selfUs.size && [...selfUs].filter(([id]) => frame(id).functionName === '(idle)').reduce((s, [, us]) => s + us, 0)) / 1e6).toFixed(1));
    top(totals, 40);
    console.log('--- top functions');
  }
  top(functions, Number(command === 'summary' ? arg ?? 25 : 15));
} else if (command === 'callers') {
  for (const [id, us] of selfUs) {
    if (frame(id).functionName !== arg) continue;
    add(totals, stack(id).slice(1, 1 + Number(arg2 ?? 2)).map((q) => label(frame(q))).join(' < '), us);
  }
  top(totals, 15);
} else if (command === 'inclusive' || command === 'children') {
  let inclusive = 0;
  for (const [id, us] of selfUs) {
    if (frame(id).functionName === '(idle)') continue;
    const chain = stack(id);
    // The outermost frame named `arg` (a recursive function counts once).
    let at = -1;
    chain.forEach((q, i) => { if (frame(q).functionName === arg) at = i; });
    if (at < 0) continue;
    inclusive += us;
    if (command === 'inclusive') {
      let q = parent.get(chain[at]);
      while (q !== undefined && frame(q).url.includes(arg2 ?? '\0')) q = parent.get(q);
      add(totals, q === undefined ? '?' : label(frame(q)), us);
    } else {
      const below = chain.slice(Math.max(0, at - Number(arg2 ?? 1)), at).reverse();
      add(totals, below.length ? below.map((q) => label(frame(q))).join(' > ') : '(self)', us);
    }
  }
  console.log(arg, 'inclusive', pct(inclusive).trim());
  top(totals, 12);
} else {
  console.error('usage: node prof.mjs summary|in-file|callers|inclusive|children PROFILE ...');
  process.exit(2);
}
