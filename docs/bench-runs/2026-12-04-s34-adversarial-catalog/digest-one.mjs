// node digest-one.mjs CLIENTADDR METRICSADDR : one Digest call (no retry); meanwhile probe /readyz every second and report its latency
import { RootCoordClient } from '/tmp/s34-adv/repo/dist/src/client/root-coord-client.js';
const [ep, metrics] = process.argv.slice(2);
const c = new RootCoordClient({ endpoints: [ep], staleReads: true, attemptDeadlineMs: 600000, retryBudgetMs: 1 });
let worst = 0, done = false;
const probe = (async () => { while (!done) { const t = Date.now(); await fetch(`http://${metrics}/readyz`, { signal: AbortSignal.timeout(120000) }).catch(() => {}); worst = Math.max(worst, Date.now() - t); await new Promise((r) => setTimeout(r, 500)); } })();
const t0 = Date.now();
try { const r = await c.call('Digest', {}, 'admin'); console.log('digest', r.applied_index, r.digest.slice(0, 16), `${Date.now() - t0} ms`); } catch (e) { console.log('ERR', e.message, `${Date.now() - t0} ms`); }
done = true; await probe; console.log(`slowest /readyz during the call: ${worst} ms`); c.close(); process.exit(0);
