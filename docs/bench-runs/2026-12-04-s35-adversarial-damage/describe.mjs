// node describe.mjs ENDPOINT NAME : the collection ID of NAME in the default database on that node (stale read), or the error
const R = process.env.R ?? '/tmp/s35-adv/repo';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const c = new RootCoordClient({ endpoints: [process.argv[2]], staleReads: true, attemptDeadlineMs: 10000, retryBudgetMs: 10000 });
try { const r = await c.call('DescribeCollection', { db_name: '', collection_name: process.argv[3], time_stamp: '0' }); console.log(`id ${r.collectionID}`); }
catch (e) { console.log('ERR ' + e.message.split('\n')[0].slice(0, 120)); }
c.close(); process.exit(0);
