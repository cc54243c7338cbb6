// node mk.mjs ENDPOINTS N [PREFIX] : create collections PREFIX0..PREFIX(N-1) (default prefix "c") in the default database, 16 at a time
const R = process.env.R ?? '/tmp/s35-adv/repo';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const { createCollectionRequest } = await import(`${R}/dist/scripts/bench-lib.js`);
const c = new RootCoordClient({ endpoints: process.argv[2].split(','), retryBudgetMs: 60000 });
const n = Number(process.argv[3]), p = process.argv[4] ?? 'c';
await Promise.all(Array.from({ length: 16 }, async (_, k) => { for (let i = k; i < n; i += 16) await c.call('CreateCollection', createCollectionRequest(`${p}${i}`)); }));
console.log('created', n); c.close(); process.exit(0);
