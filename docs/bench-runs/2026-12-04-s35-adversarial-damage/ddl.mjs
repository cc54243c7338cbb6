// node ddl.mjs ENDPOINTS create|drop NAME : one CreateCollection / DropCollection in the default database; prints ok or the error
const R = process.env.R ?? '/tmp/s35-adv/repo';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const { createCollectionRequest } = await import(`${R}/dist/scripts/bench-lib.js`);
const c = new RootCoordClient({ endpoints: process.argv[2].split(','), attemptDeadlineMs: 10000, retryBudgetMs: 15000 });
const [op, name] = process.argv.slice(3);
try { if (op === 'create') await c.call('CreateCollection', createCollectionRequest(name)); else await c.dropCollection(name); console.log('ok'); }
catch (e) { console.log('ERR ' + e.message.split('\n')[0].slice(0, 200)); }
c.close(); process.exit(0);
