// node churn.mjs DIR SECONDS [FROM] [TO]: 64 clients drop and create again collections c{FROM..TO-1} (as fill.mjs made
// them, db by i % 4) for SECONDS: steady writes (and so LevelDB flushes and compactions) at a constant catalog size.
import { readFileSync } from 'node:fs';
const R = process.env.R ?? '/tmp/s35-rev/repo';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const { createCollectionRequest } = await import(`${R}/dist/scripts/bench-lib.js`);
const [dir, secsS, fromS, toS] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const endpoints = cfg.nodes.map((n) => n.client);
const from = Number(fromS ?? 0), to = Number(toS ?? 30000); const end = Date.now() + Number(secsS) * 1000;
const dbs = ['default', 'db1', 'db2', 'db3'];
let next = from, ops = 0, errs = 0; const errKinds = {}; const t0 = performance.now();
const tick = setInterval(() => console.log(`${ops} ops in ${((performance.now() - t0) / 1000).toFixed(0)}s errs ${errs}`), 10000);
const note = (e) => { errs++; const k = String(e.message).replace(/c\d+/g, 'cN').replace(/:\d+/g, ':P').slice(0, 140); errKinds[k] = (errKinds[k] ?? 0) + 1; };
await Promise.all(Array.from({ length: 64 }, async () => {
  const c = new RootCoordClient({ endpoints, attemptDeadlineMs: 30000, retryBudgetMs: 120000 });
  while (Date.now() < end) {
    const i = next++; if (next >= to) next = from;
    const db = dbs[i % 4] === 'default' ? '' : dbs[i % 4];
    try { await c.dropCollection(`c${i}`, db); ops++; } catch (e) { note(e); }
    try { await c.call('CreateCollection', createCollectionRequest(`c${i}`, { db })); ops++; } catch (e) { note(e); }
  }
  c.close?.();
}));
clearInterval(tick);
console.log(`DONE ${ops} ops in ${((performance.now() - t0) / 1000).toFixed(1)}s errs ${errs}`, JSON.stringify(errKinds));
process.exit(0);
