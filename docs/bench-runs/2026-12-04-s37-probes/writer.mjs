// node writer.mjs DIR LANES PAUSE_MS SECONDS : CreateCollection w<lane>_<n> in LANES loops
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '/work/main/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/work/main/dist/scripts/bench-lib.js';
const [dir, lanesS, pauseS, secS] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const endpoints = cfg.nodes.map((n) => n.client);
const end = Date.now() + Number(secS) * 1000; let acks = 0, errs = 0; const tag = Date.now() % 100000;
await Promise.all(Array.from({ length: Number(lanesS) }, async (_, lane) => {
  const c = new RootCoordClient({ endpoints, attemptDeadlineMs: 10000, retryBudgetMs: 60000 });
  for (let n = 0; Date.now() < end; n++) {
    await new Promise((r) => setTimeout(r, Number(pauseS)));
    try { await c.call('CreateCollection', createCollectionRequest(`w${tag}_${lane}_${n}`, {})); acks++; } catch (e) { errs++; if (errs < 5) console.log(e.message); }
  }
  c.close?.();
}));
console.log(`writer acks ${acks} errs ${errs}`); process.exit(0);
