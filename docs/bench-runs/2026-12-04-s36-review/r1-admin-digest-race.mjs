// Finding: an admin Digest{0} started while a mark's digest holds applies replaces the mark's hold;
// if it finishes reading memory first it clears the hold and applies run while the mark's digest is
// still hashing memory -> the mark's digest includes entries after the mark (appliedIndex still says
// the mark): a false mismatch on a healthy replica.
import { encodeCommand } from '../dist/src/meta/commands.js';
import { MetaStateMachine } from '../dist/src/meta/meta-state-machine.js';
import { ReplicaChecks } from '../dist/src/meta/replica-checks.js';
import { metaOver } from '../dist/test/unit/fixtures/memory-catalog.js';

const N = Number(process.argv[2] ?? 60000);
const TRIALS = Number(process.argv[3] ?? 10);
const entry = (index, command) => ({ index, term: 1, data: encodeCommand(command), confChange: null });
const putDatabase = (id, name) => ({ kind: 'putDatabase', ts: BigInt(1000 + id), database: { id: BigInt(id), name, state: 1, createdTimeNs: 0n, properties: [] } });
const log = () => {};

async function replica(withAdminDigest) {
  const meta = await metaOver();
  const checks = new ReplicaChecks(2, log);
  const sm = new MetaStateMachine(meta, checks);
  const first = [];
  for (let i = 1; i <= N; i++) first.push(entry(i, { kind: 'request', requestId: `req-${i}-${'x'.repeat(20)}`, ts: BigInt(i), command: { kind: 'idWindow', upTo: BigInt(i) } }));
  await sm.apply(first);
  if (withAdminDigest) {
    const taken = checks.taken.bind(checks);
    // An operator's (or checker's) Digest{} arriving while the mark's digest holds applies.
    checks.taken = (id, index, p) => { taken(id, index, p); meta.digestAtIndex(); };
  }
  return { meta, checks, sm };
}

const a = await replica(true);
const b = await replica(false);
let index = N, mismatches = 0;
for (let t = 0; t < TRIALS; t++) {
  const mark = ++index;
  const batch = [entry(mark, { kind: 'digestMark', id: `m${t}` })];
  for (let k = 0; k < 20; k++) { const i = ++index; batch.push(entry(i, { kind: "request", requestId: `late-${i}`, ts: BigInt(i), command: { kind: "idWindow", upTo: BigInt(i) } })); }
  await a.sm.apply(batch);
  await b.sm.apply(batch);
  const [da, db] = [await a.checks.digestAt(mark), await b.checks.digestAt(mark)];
  if (da !== db) mismatches++;
  console.log(`trial ${t}: mark ${mark}: ${da === db ? 'same' : 'DIFFERENT'} ${da?.slice(0, 12)} ${db?.slice(0, 12)}`);
  await a.meta.digestAtIndex();
}
console.log(`${mismatches}/${TRIALS} marks digested differently on two healthy replicas`);
process.exit(0);
