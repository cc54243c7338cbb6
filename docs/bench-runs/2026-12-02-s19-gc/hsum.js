// node hsum.js PROFILE [N] : self bytes by function (top N), and by file
const p = JSON.parse(require('fs').readFileSync(process.argv[2]));
const top = Number(process.argv[3] ?? 40);
const byFn = new Map(), byFile = new Map(); let total = 0;
const walk = (n, stack) => {
  const f = n.callFrame; const name = `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  const self = n.selfSize; total += self;
  byFn.set(name, (byFn.get(name) ?? 0) + self);
  const file = f.url.replace(/.*\/(dist|node_modules)\//, '$1/') || '(native)';
  byFile.set(file, (byFile.get(file) ?? 0) + self);
  for (const c of n.children) walk(c, stack);
};
walk(p.head, []);
console.log('total sampled MB', (total / 1e6).toFixed(1));
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log((v / total * 100).toFixed(1).padStart(5) + '%', k);
console.log('--- by file');
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / total * 100).toFixed(1).padStart(5) + '%', k);
