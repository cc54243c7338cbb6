// topw.mjs PROFILE FROM_S [TO_S]: self time by function for samples within [FROM_S, TO_S] seconds of the profile's start
import fs from 'node:fs';
const [f, fromS, toS] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(f));
const byId = new Map(p.nodes.map(n => [n.id, n]));
const self = new Map(); let t = 0; let busy = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i]; const s = t / 1e6;
  if (s < Number(fromS) || (toS && s > Number(toS))) continue;
  const n = byId.get(p.samples[i]); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  const dt = (p.timeDeltas[i + 1] ?? 0) / 1000; self.set(k, (self.get(k) ?? 0) + dt); if (!k.startsWith('(idle)')) busy += dt;
}
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(v.toFixed(0).padStart(6), 'ms', k);
console.log('busy', busy.toFixed(0));
