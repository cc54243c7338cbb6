/** Majority math (raft/quorum.ts): the commit index a leader computes from its voters' matches. */
import { expect } from 'chai';
import { committedIndex } from '../../raft/quorum.js';

describe('quorum: committedIndex', () => {
  it('is the largest index a majority has matched, for any voter count, order and ties', () => {
    let seed = 12345;
    // mulberry32: a seeded generator, so a failure repeats.
    const random = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    for (let round = 0; round < 5000; round++) {
      const voters = new Set<number>();
      const count = 1 + random(9);
      while (voters.size < count) voters.add(1 + random(20));
      const match = new Map([...voters].map((id) => [id, random(4) === 0 ? 0 : random(50)]));
      const sorted = [...match.values()].sort((a, b) => b - a);
      const expected = sorted[Math.floor(count / 2)] as number;
      expect(committedIndex(voters, (id) => match.get(id) ?? 0), JSON.stringify([...match])).to.equal(expected);
    }
  });

  it('counts an unknown voter as matching nothing, and no voters as no limit', () => {
    expect(committedIndex(new Set([1, 2, 3]), (id) => (id === 1 ? 9 : 0))).to.equal(0);
    expect(committedIndex(new Set([1, 2, 3]), (id) => (id === 3 ? 0 : 7))).to.equal(7);
    expect(committedIndex(new Set(), () => 1)).to.equal(Number.MAX_SAFE_INTEGER);
  });
});
