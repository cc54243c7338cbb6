// node hinc.js PROFILE [N] : inclusive bytes by function (counted once per path)
const p = JSON.parse(require('fs').readFileSync(process.argv[2]));
const top = Number(process.argv[3] ?? 40);
const inc = new Map(); let total = 0;
const name = (f) => `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
const walk = (n, seen) => {
  const k = name(n.callFrame); let size = n.selfSize;
  const first = !seen.has(k); if (first) seen.add(k);
  for (const c of n.children) size += walk(c, seen);
  if (first) { inc.set(k, (inc.get(k) ?? 0) + size); seen.delete(k); }
  return size;
};
total = walk(p.head, new Set());
for (const [k, v] of [...inc].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log((v / total * 100).toFixed(1).padStart(5) + '%', (v / 20000 / 1024).toFixed(1).padStart(6) + 'KB/op', k);
