// node hsub.js PROFILE PATTERN [depth] : merged subtree (inclusive KB/op) below functions matching PATTERN
const p = JSON.parse(require('fs').readFileSync(process.argv[2]));
const pat = new RegExp(process.argv[3]); const depth = Number(process.argv[4] ?? 3); const ops = 20000;
const name = (f) => `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
const incl = (n) => n.selfSize + n.children.reduce((s, c) => s + incl(c), 0);
const merged = { self: 0, total: 0, kids: new Map() };
const merge = (acc, n, d) => {
  acc.self += n.selfSize; acc.total += incl(n);
  if (d >= depth) return;
  for (const c of n.children) { const k = name(c.callFrame); if (!acc.kids.has(k)) acc.kids.set(k, { self: 0, total: 0, kids: new Map() }); merge(acc.kids.get(k), c, d + 1); }
};
const find = (n, inside) => { const m = pat.test(name(n.callFrame)); if (m && !inside) merge(merged, n, 0); for (const c of n.children) find(c, inside || m); };
find(p.head, false);
const show = (acc, ind) => { for (const [k, v] of [...acc.kids].sort((a, b) => b[1].total - a[1].total)) { if (v.total / ops < 100) continue; console.log(' '.repeat(ind) + (v.total / ops / 1024).toFixed(2) + ' KB (self ' + (v.self / ops / 1024).toFixed(2) + ') ' + k); show(v, ind + 2); } };
console.log('total', (merged.total / ops / 1024).toFixed(2), 'KB/op, self', (merged.self / ops / 1024).toFixed(2));
show(merged, 2);
