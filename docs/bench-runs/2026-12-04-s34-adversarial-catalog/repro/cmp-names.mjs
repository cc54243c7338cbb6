// node cmp-names.mjs A B : ShowCollections (default db, stale reads) on client address A and B; prints the difference
import { RootCoordClient } from '/tmp/s34-adv/repo/dist/src/client/root-coord-client.js';
const names = async (ep) => { const c = new RootCoordClient({ endpoints: [ep], staleReads: true, retryBudgetMs: 5000 });
  try { return new Set((await c.call('ShowCollections', { db_name: '', time_stamp: '0' })).collection_names); } catch (e) { return e.message; } finally { c.close(); } };
const [a, b] = await Promise.all(process.argv.slice(2).map(names));
if (typeof a === 'string' || typeof b === 'string') console.log('ERR', a instanceof Set ? '' : a, b instanceof Set ? '' : b);
else { const onlyA = [...a].filter((x) => !b.has(x)), onlyB = [...b].filter((x) => !a.has(x));
  console.log(onlyA.length + onlyB.length === 0 ? `SAME (${a.size} names)` : `DIFFERENT: ${a.size} vs ${b.size}; only on the first: ${onlyA.slice(0, 5)}; only on the second: ${onlyB.slice(0, 5)}`); }
process.exit(0);
