// node hs.mjs BUILD N OUT [promoted] : 1-node in-process cluster, a child process fills N collections with 64 clients,
// the main isolate's sampling heap profile during the fill: every allocation (collected ones included), or with
// `promoted` only what survived the scavenges (objects a scavenge collected left out; was hs4.mjs).
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
const [B, N, OUT, MODE] = process.argv.slice(2);
const { InProcessCluster } = await import(`${B}/dist/test/rootcoord/fixtures/in-process-cluster.js`);
const cluster = await InProcessCluster.start(1, { maxCollectionNum: 300000, maxCollectionNumPerDB: 300000, maxGeneralCapacity: 10000000 });
const addr = cluster.address(1);
const child = `
import { RootCoordClient } from '${B}/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '${B}/dist/scripts/bench-lib.js';
const [addr, N, from] = process.argv.slice(2);
let next = Number(from), done = 0, errs = 0; const t0 = performance.now();
await Promise.all(Array.from({ length: 64 }, async () => {
  const c = new RootCoordClient({ endpoints: [addr], attemptDeadlineMs: 30000, retryBudgetMs: 120000 });
  for (;;) { const i = next++; if (i >= Number(N)) break;
    try { await c.call('CreateCollection', createCollectionRequest('c' + i)); done++; } catch (e) { errs++; if (errs < 5) console.log(e.message); } }
  c.close?.();
}));
console.log('DONE', done, ((performance.now() - t0) / 1000).toFixed(1) + 's errs', errs);
process.exit(0);`;
writeFileSync('/tmp/s19/hs-child.mjs', child);
const fill = (n, from) => new Promise((res) => { const p = spawn(process.execPath, ['/tmp/s19/hs-child.mjs', addr, String(n), String(from)], { stdio: 'inherit' }); p.on('exit', res); });
await fill(2000, 0); // warm up
const s = new Session(); s.connect();
await s.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: MODE !== 'promoted' });
const m0 = process.memoryUsage();
await fill(Number(N), 2000);
const { profile } = await s.post('HeapProfiler.stopSampling');
writeFileSync(OUT, JSON.stringify(profile));
await cluster.close();
process.exit(0);
