// A follower catching up gets marks and compares in one apply batch (a restart, a new member, a
// follower behind: node-5.log of live-faults.sh had 230 compares, all "unavailable"). The state machine
// takes every mark's digest first and compares after the whole batch; with 4 digests kept, every
// compare but the last 4 finds no digest, though the digest was taken (a full store scan each).
import { MetaStateMachine } from '../dist/src/meta/meta-state-machine.js';
import { ReplicaChecks } from '../dist/src/meta/replica-checks.js';
import { encodeCommand } from '../dist/src/meta/commands.js';
import { metaOver } from '../dist/test/unit/fixtures/memory-catalog.js';

const leader = new MetaStateMachine(await metaOver(), new ReplicaChecks(1, () => {}));
const followerChecks = new ReplicaChecks(2, () => {});
const follower = new MetaStateMachine(await metaOver(), followerChecks);
const leaderChecks = leader['checks'];
let index = 0;
const log = [];
const e = (command) => ({ index: ++index, term: 1, data: encodeCommand(command), confChange: null });
// The leader, one check at a time (as ReplicaCheckLoop does): mark, its digest, compare.
for (let m = 0; m < 10; m++) {
  const db = e({ kind: 'putDatabase', ts: BigInt(1000 + m), database: { id: BigInt(m + 1), name: `d${m}`, state: 0, createdTimeNs: 0n, properties: [] } });
  const mark = e({ kind: 'digestMark', id: `m${m}` });
  await leader.apply([db, mark]);
  const digest = await leaderChecks.digestAt(mark.index);
  const compare = e({ kind: 'digestCompare', index: mark.index, digest, leader: 1 });
  await leader.apply([compare]);
  log.push(db, mark, compare);
}
// The follower gets the same 30 entries in one batch (catch-up).
await follower.apply(log);
await new Promise((r) => setTimeout(r, 200));
console.log('one batch of 10 checks:', followerChecks.counts);
// The same entries one by one on another follower.
const slowChecks = new ReplicaChecks(3, () => {});
const slow = new MetaStateMachine(await metaOver(), slowChecks);
for (const entry of log) await slow.apply([entry]);
await new Promise((r) => setTimeout(r, 200));
console.log('entry by entry:', slowChecks.counts);
