// node mk.mjs ENDPOINTS N : create N collections r0..r(N-1)
import { RootCoordClient } from '/tmp/s34-adv/repo/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/tmp/s34-adv/repo/dist/scripts/bench-lib.js';
const c = new RootCoordClient({ endpoints: process.argv[2].split(','), retryBudgetMs: 30000 });
const n = Number(process.argv[3]);
await Promise.all(Array.from({ length: 8 }, async (_, k) => { for (let i = k; i < n; i += 8) await c.call('CreateCollection', createCollectionRequest(`r${i}`)); }));
console.log('created', n); c.close(); process.exit(0);
