// node alter.mjs DIR SECONDS [COUNT]: 64 clients alter a property of collections c0..c{COUNT-1} (made by fill.mjs,
// db by i % 4) for SECONDS: each alter rewrites the collection's catalog entry (and a versioned copy), so
// LevelDB keeps flushing and compacting at a constant number of collections.
import { readFileSync } from 'node:fs';
const R = process.env.R ?? '/tmp/s35-rev/repo';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const [dir, secsS, countS] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const endpoints = cfg.nodes.map((n) => n.client);
const count = Number(countS ?? 30000); const end = Date.now() + Number(secsS) * 1000;
const dbs = ['', 'db1', 'db2', 'db3'];
let ops = 0, errs = 0; const errKinds = {}; const t0 = performance.now();
const tick = setInterval(() => console.log(`${ops} ops in ${((performance.now() - t0) / 1000).toFixed(0)}s errs ${errs}`), 10000);
await Promise.all(Array.from({ length: 64 }, async () => {
  const c = new RootCoordClient({ endpoints, attemptDeadlineMs: 30000, retryBudgetMs: 120000 });
  while (Date.now() < end) {
    const i = Math.floor(Math.random() * count);
    try { await c.alterCollection(`c${i}`, { 'review.note': `v${ops}-${'z'.repeat(Math.floor(Math.random() * 200))}` }, [], dbs[i % 4]); ops++; }
    catch (e) { errs++; const k = String(e.message).replace(/c\d+/g, 'cN').replace(/:\d+/g, ':P').slice(0, 140); errKinds[k] = (errKinds[k] ?? 0) + 1; }
  }
  c.close?.();
}));
clearInterval(tick);
console.log(`DONE ${ops} ops in ${((performance.now() - t0) / 1000).toFixed(1)}s errs ${errs}`, JSON.stringify(errKinds));
process.exit(0);
