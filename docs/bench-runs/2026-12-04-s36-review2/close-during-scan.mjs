// MetaTable.close() while a replica check's mark digest is scanning the store (a node's SIGTERM path:
// raft.close() then meta.close()). Does close wait, crash, or does the digest reject? Does the process hang?
import { rmSync } from 'node:fs';
import { filledCatalog } from './filled-catalog.mjs';

const N = Number(process.argv[2] ?? 60000);
const delayMs = Number(process.argv[3] ?? 50);
// Many databases: putDatabase writes versioned keys.
const { dir, meta, checks, sm, entry, index } = await filledCatalog(N, 'repro-close-', (l, m, f) => console.log(l, m, JSON.stringify(f ?? {})));
console.log('filled', index());
const t0 = performance.now();
await sm.apply([entry({ kind: 'digestMark', id: 'm' })]);
const digest = checks.digestAt(index());
await new Promise((r) => setTimeout(r, delayMs));
const tc = performance.now();
let closeErr = null;
try { await meta.close(); } catch (e) { closeErr = e; }
console.log('close took', Math.round(performance.now() - tc), 'ms', closeErr ? 'error: ' + closeErr.message : 'ok');
console.log('digest ->', await digest, 'after', Math.round(performance.now() - t0), 'ms');
rmSync(dir, { recursive: true, force: true });
console.log('done');
