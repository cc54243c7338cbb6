#!/bin/bash
# digtime.sh ROOT N BASE: a 3-node cluster of ROOT's build, N collections, then one Digest per node (a 100 ms /readyz probe beside it)
set -u; R=$1; N=$2; B=$3; D=/tmp/s34/dig-$B; C="node $R/dist/scripts/cluster.js"
$C down --dir $D --wipe >/dev/null 2>&1
$C up --dir $D --base-port $B | head -1
cat > /tmp/s34/mk-$B.mjs <<EOM
import { RootCoordClient } from '$R/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '$R/dist/scripts/bench-lib.js';
const c = new RootCoordClient({ endpoints: process.argv[2].split(','), retryBudgetMs: 30000 });
const n = Number(process.argv[3]);
await Promise.all(Array.from({ length: 32 }, async (_, k) => { for (let i = k; i < n; i += 32) await c.call('CreateCollection', createCollectionRequest('r' + i)); }));
console.log('created', n); c.close(); process.exit(0);
EOM
cat > /tmp/s34/dg-$B.mjs <<EOM
import { RootCoordClient } from '$R/dist/src/client/root-coord-client.js';
const [ep, metrics] = process.argv.slice(2);
const c = new RootCoordClient({ endpoints: [ep], staleReads: true, attemptDeadlineMs: 600000, retryBudgetMs: 1 });
let worst = 0, done = false;
const probe = (async () => { while (!done) { const t = Date.now(); await fetch('http://' + metrics + '/readyz', { signal: AbortSignal.timeout(120000) }).catch(() => {}); worst = Math.max(worst, Date.now() - t); await new Promise((r) => setTimeout(r, 100)); } })();
const t0 = Date.now();
try { const r = await c.call('Digest', {}, 'admin'); console.log('digest', r.applied_index, r.digest.slice(0, 16), (Date.now() - t0) + ' ms'); } catch (e) { console.log('ERR', e.message, (Date.now() - t0) + ' ms'); }
done = true; await probe; console.log('slowest /readyz during the call: ' + worst + ' ms'); c.close(); process.exit(0);
EOM
node /tmp/s34/mk-$B.mjs 127.0.0.1:$((B+1)),127.0.0.1:$((B+2)),127.0.0.1:$((B+3)) $N
sleep 3
for i in 1 2 3; do pid=$(node -e "console.log(require('$D/cluster.json').nodes[$i-1].pid)"); echo "node $i rss before $(grep VmRSS /proc/$pid/status | awk '{print $2/1024}') MB"; node /tmp/s34/dg-$B.mjs 127.0.0.1:$((B+i)) 127.0.0.1:$((B+200+i)); echo "  hwm $(grep VmHWM /proc/$pid/status | awk '{print $2/1024}') MB"; done
$C down --dir $D --wipe >/dev/null
