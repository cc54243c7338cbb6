import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const target = process.argv[3]; const depth = Number(process.argv[4] ?? 2);
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const by = new Map();
const walk = (n, stack) => {
  const k = key(n); const st = [...stack, k];
  if (k.startsWith(target + ' ') && n.selfSize) { const c = st.slice(-1 - depth, -1).join(' <- '); by.set(c, (by.get(c) ?? 0) + n.selfSize); }
  for (const c of n.children ?? []) walk(c, st);
};
walk(p.head, []);
for (const [k, b] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log((b / 1e6).toFixed(1).padStart(6), k);
