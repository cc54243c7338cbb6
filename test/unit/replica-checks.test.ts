/**
 * A replica check's mark pins each replica's digest to the mark's index, whatever else its apply batch
 * holds and whatever digest is under way; a replica's comparison with the leader's digest counts what it
 * found (src/meta/replica-checks.ts).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppliedEntry } from '../../raft/raft-node.js';
import { encodeCommand } from '../../src/meta/commands.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import { MetaStateMachine } from '../../src/meta/meta-state-machine.js';
import { DatabaseState } from '../../src/meta/model.js';
import { ReplicaChecks } from '../../src/meta/replica-checks.js';
import { DIVERGED_FILE, divergenceFile } from '../../src/node/divergence-file.js';
import { metaOver } from './fixtures/memory-catalog.js';

function entry(index: number, command: MetaCommand): AppliedEntry {
  return { index, term: 1, data: encodeCommand(command), confChange: null };
}

function putDatabase(id: number, name: string): MetaCommand {
  return { kind: 'putDatabase', ts: BigInt(1000 + id), database: { id: BigInt(id), name, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } };
}

const logged: string[] = [];
const log = (level: string, message: string): void => void logged.push(`${level}: ${message}`);

describe('Replica checks: the mark', () => {
  it("digests at the mark's index, not after the rest of its batch, also while another digest is under way", async () => {
    const whole = await metaOver();
    const wholeChecks = new ReplicaChecks(2, log);
    const machine = new MetaStateMachine(whole, wholeChecks);
    await machine.apply([entry(1, putDatabase(1, 'one'))]);
    // An operator's digest under way (at index 1) when the batch with the mark comes.
    const earlier = whole.digestAtIndex();
    await machine.apply([entry(2, putDatabase(2, 'two')), entry(3, { kind: 'digestMark', id: 'm' }), entry(4, putDatabase(4, 'four'))]);
    expect((await earlier).appliedIndex).to.equal(1);
    expect(wholeChecks.markIndex('m')).to.equal(3);
    const atMark = await wholeChecks.digestAt(3);

    // Another replica that applied only up to the mark.
    const upToMark = await metaOver();
    const upToChecks = new ReplicaChecks(3, log);
    const other = new MetaStateMachine(upToMark, upToChecks);
    await other.apply([entry(1, putDatabase(1, 'one')), entry(2, putDatabase(2, 'two')), entry(3, { kind: 'digestMark', id: 'm' })]);
    expect(atMark).to.be.a('string');
    expect(atMark).to.equal(await upToChecks.digestAt(3));
    await machine.apply([entry(5, { kind: 'digestMark', id: 'n' })]);
    expect(atMark, 'the entry after the mark is not in its digest').to.not.equal(await wholeChecks.digestAt(5));
    expect(whole.databaseByName('four'), 'and it is applied').to.not.equal(undefined);
  });

  it("compares with the leader's digest: match, mismatch, unavailable; the leader compares nothing", async () => {
    const meta = await metaOver();
    const checks = new ReplicaChecks(2, log);
    const machine = new MetaStateMachine(meta, checks);
    await machine.apply([entry(1, putDatabase(1, 'one')), entry(2, { kind: 'digestMark', id: 'a' })]);
    const own = (await checks.digestAt(2)) as string;

    await machine.apply([entry(3, { kind: 'digestCompare', index: 2, digest: own, leader: 1 })]);
    await waitFor(() => checks.counts.match === 1);
    expect(checks.diverged).to.equal(false);

    logged.length = 0;
    expect(await checks.compare(2, 'f'.repeat(64), 1)).to.equal('mismatch');
    expect(checks.diverged).to.equal(true);
    expect(logged.join('\n')).to.match(/^error: replica check: this replica's catalog differs from the leader's/m);
    expect(await checks.compare(2, own, 1)).to.equal('match');
    expect(checks.diverged, 'a later match clears it').to.equal(false);

    expect(await checks.compare(99, own, 1), 'no mark there').to.equal('unavailable');
    expect(await checks.compare(2, 'f'.repeat(64), 2), 'this replica leads').to.equal(null);
    expect(checks.counts).to.deep.equal({ match: 2, mismatch: 1, unavailable: 1 });
  });

  it('keeps a difference through restarts until a check matches, in a file beside the catalog', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rootcoord-diverged-'));
    try {
      const meta = await metaOver();
      const checks = new ReplicaChecks(2, log, divergenceFile(dir), () => 1234);
      const machine = new MetaStateMachine(meta, checks);
      await machine.apply([entry(1, putDatabase(1, 'one')), entry(2, { kind: 'digestMark', id: 'a' })]);
      const own = (await checks.digestAt(2)) as string;
      expect(await checks.compare(2, 'f'.repeat(64), 1)).to.equal('mismatch');
      expect(JSON.parse(await readFile(join(dir, DIVERGED_FILE), 'utf8'))).to.deep.equal({ index: 2, leader: 1, digest: own, leaderDigest: 'f'.repeat(64), at: 1234 });

      // A restart: the difference stands, and says so.
      logged.length = 0;
      const restarted = new ReplicaChecks(2, log, divergenceFile(dir));
      expect(restarted.diverged).to.equal(true);
      expect(logged.join('\n')).to.match(/^error: replica check: this replica's catalog differs from the leader's \(found at a replica check before this start/m);
      const again = new MetaStateMachine(meta, restarted);
      await again.apply([entry(3, { kind: 'digestMark', id: 'b' })]);
      expect(await restarted.compare(3, (await restarted.digestAt(3)) as string, 1)).to.equal('match');
      expect(restarted.diverged).to.equal(false);
      expect(existsSync(join(dir, DIVERGED_FILE)), 'removed once a check matches').to.equal(false);
      expect(new ReplicaChecks(2, log, divergenceFile(dir)).diverged).to.equal(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a replica catching up through many checks in one batch compares every one (the review of session 36)', async () => {
    // The leader's side: its digests at ten marks.
    const leaderMeta = await metaOver();
    const leaderChecks = new ReplicaChecks(1, log);
    const leader = new MetaStateMachine(leaderMeta, leaderChecks);
    const entries: AppliedEntry[] = [];
    for (let i = 0; i < 10; i++) {
      const index = entries.length + 1;
      entries.push(entry(index, putDatabase(i + 1, `db${i}`)), entry(index + 1, { kind: 'digestMark', id: `m${i}` }));
      await leader.apply(entries.slice(-2));
      entries.push(entry(index + 2, { kind: 'digestCompare', index: index + 1, digest: (await leaderChecks.digestAt(index + 1)) as string, leader: 1 }));
      await leader.apply(entries.slice(-1));
    }
    // A follower applies the thirty entries in one batch: ten marks, each compared after the next mark.
    const follower = new ReplicaChecks(2, log);
    await new MetaStateMachine(await metaOver(), follower).apply(entries);
    await waitFor(() => follower.counts.match + follower.counts.mismatch + follower.counts.unavailable === 10);
    expect(follower.counts).to.deep.equal({ match: 10, mismatch: 0, unavailable: 0 });
  });

  it('keeps the last four marks', async () => {
    const meta = await metaOver();
    const checks = new ReplicaChecks(2, log);
    const machine = new MetaStateMachine(meta, checks);
    for (let i = 1; i <= 6; i++) await machine.apply([entry(i, { kind: 'digestMark', id: `m${i}` })]);
    expect([1, 2, 3, 4, 5, 6].map((i) => checks.digestAt(i) !== undefined)).to.deep.equal([false, false, true, true, true, true]);
    expect(checks.markIndex('m2')).to.equal(undefined);
    expect(checks.markIndex('m6')).to.equal(6);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).to.equal(true);
}
