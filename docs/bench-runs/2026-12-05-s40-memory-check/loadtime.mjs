// loadtime.mjs DIST CATALOG: MetaTable.open (a start's load) time, and the longest gaps of a 5 ms timer during it.
const [dist, path] = process.argv.slice(2);
const { MetaTable } = await import(`${dist}/src/meta/meta-table.js`);
const gaps = []; let last = performance.now();
const timer = setInterval(() => { const now = performance.now(); if (now - last > 50) gaps.push(Math.round(now - last)); last = now; }, 5);
const t = performance.now();
const meta = await MetaTable.open(path);
const ms = performance.now() - t;
clearInterval(timer);
console.log(JSON.stringify({ openMs: Math.round(ms), gapsOver50: gaps.sort((a, b) => b - a).slice(0, 6) }));
await meta.close();
