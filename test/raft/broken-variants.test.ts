/**
 * Each deliberately broken variant switches off one safety mechanism; the simulator must catch every
 * one of them within the suite's seed budget, or it would not catch the real bug either.
 */
import { expect } from 'chai';
import { runSimulation } from '../../raft/sim/simulator.js';
import type { SimulationUnsafe } from '../../raft/sim/simulator.js';

const SEED_BUDGET = 2000;

async function firstFailure(unsafe: SimulationUnsafe): Promise<{ seed: number; violation: string } | null> {
  for (let seed = 1; seed <= SEED_BUDGET; seed++) {
    const result = await runSimulation({ seed, unsafe });
    if (!result.ok && result.violation !== null) return { seed, violation: result.violation };
  }
  return null;
}

describe('Raft simulator catches broken variants', function () {
  this.timeout(600_000);

  it('a vote granted without the log up-to-date check (leader completeness breaks)', async () => {
    const found = await firstFailure({ voteWithoutLogCheck: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/safety|assertion/);
  });

  it('an append acknowledged before it is persisted (a crash loses an acknowledged entry)', async () => {
    const found = await firstFailure({ ackBeforePersist: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/safety|assertion|log lost/);
  });

  it('a read served without ReadIndex from a deposed leader (a stale read)', async () => {
    const found = await firstFailure({ readWithoutQuorum: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/stale read/);
  });

  it('a conflicting entry kept on snapshot install (the log breaks)', async () => {
    const found = await firstFailure({ keepLogOnSnapshot: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/safety|assertion/);
  });

  // The storage's own planted bugs (DurableStorageUnsafe), on the simulated disk under every node.
  for (const [knob, what] of [
    ['skipFsync', 'log writes acknowledged before they are durable'],
    ['noDirFsyncForNewSegment', 'a new log segment whose directory entry is never fsynced'],
    ['noDirFsyncAfterRename', 'a snapshot renamed into place without a directory fsync'],
    ['renameWithoutDataFsync', "a snapshot renamed into place before its data is fsynced"],
  ] as const) {
    it(`${what} (storage unsafe.${knob}: a node loses what it acknowledged, or cannot restart)`, async () => {
      const found = await firstFailure({ storage: { [knob]: true } });
      expect(found, 'no seed found the bug').to.not.equal(null);
      expect(found?.violation).to.match(/safety|assertion|storage|log lost/);
    });
  }
});
