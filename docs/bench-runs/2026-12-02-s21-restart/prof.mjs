// node prof.mjs file.cpuprofile [limitSec]: self time by function (top 40) within the first limitSec seconds
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const limitUs = Number(process.argv[3] ?? 1e9) * 1e6;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map(); let t = 0; let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i]; if (t > limitUs) break;
  const n = byId.get(p.samples[i]); const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  const d = p.timeDeltas[i + 1] ?? 0; self.set(key, (self.get(key) ?? 0) + d); total += d;
}
console.log('total ms', Math.round(total / 1000));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((v / 1000).toFixed(0).padStart(6), k);
