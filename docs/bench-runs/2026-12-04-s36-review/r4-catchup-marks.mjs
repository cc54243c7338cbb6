// A replica that applies many marks in one catch-up takes a full digest (memory hash with applies held,
// then a full store scan) for every one of them, all scans at once, though only the last four are kept.
import { encodeCommand } from '../dist/src/meta/commands.js';
import { MetaStateMachine } from '../dist/src/meta/meta-state-machine.js';
import { ReplicaChecks } from '../dist/src/meta/replica-checks.js';
import { metaOver } from '../dist/test/unit/fixtures/memory-catalog.js';
const N = 60000, MARKS = Number(process.argv[2] ?? 20);
const entry = (index, command) => ({ index, term: 1, data: encodeCommand(command), confChange: null });
const meta = await metaOver();
const checks = new ReplicaChecks(2, () => {});
const sm = new MetaStateMachine(meta, checks);
const first = [];
for (let i = 1; i <= N; i++) first.push(entry(i, { kind: 'request', requestId: `req-${i}-${'x'.repeat(20)}`, ts: BigInt(i), command: { kind: 'idWindow', upTo: BigInt(i) } }));
await sm.apply(first);
await meta.persist();
let open = 0, maxOpen = 0;
const scan = meta.store.scan.bind(meta.store);
meta.store.scan = (...a) => { const it = scan(...a); return (async function* () { open++; maxOpen = Math.max(maxOpen, open); try { yield* it; } finally { open--; } })(); };
const batch = [];
let index = N;
for (let m = 0; m < MARKS; m++) { batch.push(entry(++index, { kind: 'digestMark', id: `m${m}` })); for (let k = 0; k < 5; k++) { const i = ++index; batch.push(entry(i, { kind: 'idWindow', upTo: BigInt(i) })); } }
const t0 = performance.now();
await sm.apply(batch);
const applied = performance.now() - t0;
await Promise.all(Array.from({ length: MARKS }, (_, m) => checks.digestAt(N + 1 + m * 6) ?? null));
await new Promise((r) => setTimeout(r, 100));
console.log(`${MARKS} marks in one batch: apply chain held ${Math.round(applied)} ms; store scans open at once: ${maxOpen}; all digests done after ${Math.round(performance.now() - t0)} ms; kept: ${[...Array(MARKS).keys()].filter((m) => checks.digestAt(N + 1 + m * 6) !== undefined).length}`);
process.exit(0);
