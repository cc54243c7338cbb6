// MetaTable.close() while a replica check's mark digest is scanning the store (a node's SIGTERM path:
// raft.close() then meta.close()). Does close wait, crash, or does the digest reject? Does the process hang?
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaTable } from '../dist/src/meta/meta-table.js';
import { MetaStateMachine } from '../dist/src/meta/meta-state-machine.js';
import { ReplicaChecks } from '../dist/src/meta/replica-checks.js';
import { encodeCommand } from '../dist/src/meta/commands.js';

const N = Number(process.argv[2] ?? 60000);
const delayMs = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'repro-close-'));
const meta = await MetaTable.open(join(dir, 'catalog'));
const checks = new ReplicaChecks(2, (l, m, f) => console.log(l, m, JSON.stringify(f ?? {})));
const sm = new MetaStateMachine(meta, checks);
let index = 0;
const entry = (command) => ({ index: ++index, term: 1, data: encodeCommand(command), confChange: null });
// Many databases: putDatabase writes versioned keys.
for (let b = 0; b < N / 1000; b++) {
  const entries = [];
  for (let i = 0; i < 1000; i++) {
    const id = b * 1000 + i + 1;
    entries.push(entry({ kind: 'putDatabase', ts: BigInt(1000 + id), database: { id: BigInt(id), name: `db${id}`, state: 0, createdTimeNs: 0n, properties: [{ key: 'k', value: 'x'.repeat(200) }] } }));
  }
  await sm.apply(entries);
}
await meta.flushed();
console.log('filled', index);
const t0 = performance.now();
await sm.apply([entry({ kind: 'digestMark', id: 'm' })]);
const digest = checks.digestAt(index);
await new Promise((r) => setTimeout(r, delayMs));
const tc = performance.now();
let closeErr = null;
try { await meta.close(); } catch (e) { closeErr = e; }
console.log('close took', Math.round(performance.now() - tc), 'ms', closeErr ? 'error: ' + closeErr.message : 'ok');
console.log('digest ->', await digest, 'after', Math.round(performance.now() - t0), 'ms');
rmSync(dir, { recursive: true, force: true });
console.log('done');
