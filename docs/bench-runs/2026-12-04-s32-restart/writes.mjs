// node writes.mjs DIR: CreatePartition / DropPartition on collection c0 in a loop (one client, ~20/s) until killed
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '/work/main/dist/src/client/root-coord-client.js';
const [dir] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const client = new RootCoordClient({ endpoints: cfg.nodes.map((n) => n.client), attemptDeadlineMs: 5000, retryBudgetMs: 60000 });
let n = 0, errs = 0;
setInterval(() => console.log(`writes ${n} errs ${errs}`), 10000);
for (;;) {
  try { await client.createPartition('c0', 'wp'); await client.dropPartition('c0', 'wp'); n += 2; } catch (e) { errs++; if (errs < 5) console.log(e.message); }
  await new Promise((r) => setTimeout(r, 100));
}
