import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 40);
const self = new Map(), incl = new Map(); let total = 0;
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const walk = (n, stack) => {
  const k = key(n); const bytes = (n.selfSize ?? 0);
  total += bytes; self.set(k, (self.get(k) ?? 0) + bytes);
  const st = stack.includes(k) ? stack : [...stack, k];
  for (const s of st) incl.set(s, (incl.get(s) ?? 0) + bytes);
  for (const c of n.children ?? []) walk(c, st);
};
walk(p.head, []);
console.log('total sampled MB', (total / 1e6).toFixed(1));
console.log('--- self');
for (const [k, b] of [...self].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log((b / 1e6).toFixed(1).padStart(7), (100 * b / total).toFixed(1).padStart(5) + '%', k);
console.log('--- inclusive');
for (const [k, b] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log((b / 1e6).toFixed(1).padStart(7), (100 * b / total).toFixed(1).padStart(5) + '%', k);
