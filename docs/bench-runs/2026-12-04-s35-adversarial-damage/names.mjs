// node names.mjs ENDPOINT [DB] : the collection names of a database (stale read on that node), sorted, one per line
const R = process.env.R ?? '/tmp/s35-adv/repo';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const c = new RootCoordClient({ endpoints: [process.argv[2]], staleReads: true, attemptDeadlineMs: 20000, retryBudgetMs: 20000 });
try { const r = await c.call('ShowCollections', { db_name: process.argv[3] ?? '', time_stamp: '0' }); console.log([...r.collection_names].sort().join('\n')); }
catch (e) { console.log('ERR ' + e.message.split('\n')[0]); }
c.close(); process.exit(0);
