/**
 * Each deliberately broken variant switches off one safety mechanism; the simulator must catch every
 * one of them within the suite's seed budget, or it would not catch the real bug either.
 */
import { expect } from 'chai';
import { runSimulation } from '../../raft/sim/simulator.js';
import type { SimulationUnsafe } from '../../raft/sim/simulator.js';

const SEED_BUDGET = 2000;

function firstFailure(unsafe: SimulationUnsafe): { seed: number; violation: string } | null {
  for (let seed = 1; seed <= SEED_BUDGET; seed++) {
    const result = runSimulation({ seed, unsafe });
    if (!result.ok && result.violation !== null) return { seed, violation: result.violation };
  }
  return null;
}

describe('Raft simulator catches broken variants', function () {
  this.timeout(600_000);

  it('a vote granted without the log up-to-date check (leader completeness breaks)', () => {
    const found = firstFailure({ voteWithoutLogCheck: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/safety|assertion/);
  });

  it('an append acknowledged before it is persisted (a crash loses an acknowledged entry)', () => {
    const found = firstFailure({ ackBeforePersist: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/safety|assertion/);
  });

  it('a read served without ReadIndex from a deposed leader (a stale read)', () => {
    const found = firstFailure({ readWithoutQuorum: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/stale read/);
  });

  it('a conflicting entry kept on snapshot install (the log breaks)', () => {
    const found = firstFailure({ keepLogOnSnapshot: true });
    expect(found, 'no seed found the bug').to.not.equal(null);
    expect(found?.violation).to.match(/safety|assertion/);
  });
});
