// node showfill.mjs DIR N : fill N collections into the default database with 64 clients
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '/work/main/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/work/main/dist/scripts/bench-lib.js';
const [dir, nS] = process.argv.slice(2); const n = Number(nS);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const endpoints = cfg.nodes.map((x) => x.client);
let next = 0, done = 0; const t0 = performance.now();
await Promise.all(Array.from({ length: 64 }, async () => {
  const c = new RootCoordClient({ endpoints, attemptDeadlineMs: 30000, retryBudgetMs: 120000 });
  for (;;) { const i = next++; if (i >= n) break; await c.call('CreateCollection', createCollectionRequest(`c${i}`, {})); done++; }
}));
console.log(`DONE ${done} in ${((performance.now() - t0) / 1000).toFixed(1)}s`); process.exit(0);
