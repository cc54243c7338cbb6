import { RootCoordClient } from '/tmp/s34-adv/repo/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/tmp/s34-adv/repo/dist/scripts/bench-lib.js';
const c = new RootCoordClient({ endpoints: process.argv[2].split(','), attemptDeadlineMs: 10000, retryBudgetMs: 15000 });
const t0 = Date.now();
try { await c.call('CreateCollection', createCollectionRequest(process.argv[3])); console.log('ok', Date.now() - t0); } catch (e) { console.log('ERR', e.message, Date.now() - t0); }
c.close(); process.exit(0);
