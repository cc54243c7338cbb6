import { readFileSync } from 'node:fs';
const [a, b, mode = 'self', topN = '40'] = process.argv.slice(2);
function agg(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const self = new Map(), incl = new Map(); let total = 0;
  const key = (cf) => `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${cf.lineNumber + 1}`;
  function walk(n, stack) {
    const k = key(n.callFrame);
    self.set(k, (self.get(k) ?? 0) + n.selfSize); total += n.selfSize;
    let sum = n.selfSize;
    const s2 = stack.includes(k) ? stack : [...stack, k];
    for (const c of n.children) sum += walk(c, s2);
    if (!stack.includes(k)) incl.set(k, (incl.get(k) ?? 0) + sum);
    return sum;
  }
  walk(p.head, []);
  return { self, incl, total };
}
const A = a === '-' ? { self: new Map(), incl: new Map(), total: 0 } : agg(a), B = agg(b);
const m = mode === 'self' ? 'self' : 'incl';
const rows = [...B[m]].map(([k, v]) => [k, v - (A[m].get(k) ?? 0)]).sort((x, y) => y[1] - x[1]).slice(0, Number(topN));
console.log('total MB', ((B.total - A.total) / 1e6).toFixed(1));
for (const [k, v] of rows) console.log((v / 1e6).toFixed(1).padStart(8), k);
