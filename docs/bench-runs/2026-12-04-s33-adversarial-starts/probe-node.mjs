// node probe-node.mjs CLIENTADDR : a stale and a linearizable ShowCollections on that node alone
import { RootCoordClient } from '/work/wt/adv/dist/src/client/root-coord-client.js';
const ep = process.argv[2];
for (const stale of [true, false]) {
  const c = new RootCoordClient({ endpoints: [ep], staleReads: stale, attemptDeadlineMs: 5000, retryBudgetMs: 6000 });
  const t0 = Date.now();
  try { const r = await c.call('ShowCollections', { db_name: '', time_stamp: '0' }); console.log(stale ? 'stale' : 'linearizable', 'names:', r.collection_names.length, `${Date.now() - t0}ms`); }
  catch (e) { console.log(stale ? 'stale' : 'linearizable', 'ERR', e.message.slice(0, 150), `${Date.now() - t0}ms`); }
  c.close();
}
process.exit(0);
