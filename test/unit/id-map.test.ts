/**
 * IdMap keeps a map of IDs as one Map per block of 4,096 consecutive IDs (so that growing never copies
 * a table of all entries). It must behave as a Map: the same answers to get, has, size and delete, and
 * for increasing IDs the same iteration order.
 */
import { expect } from 'chai';
import { Prng } from '../../raft/prng.js';
import { IdMap } from '../../src/common/id-map.js';

describe('IdMap', () => {
  it('answers as a Map does through random sets, overwrites and deletes, and iterates increasing IDs in the order they were added', async () => {
    for (const seed of [1, 2, 3]) {
      const prng = new Prng(seed);
      const ids = new IdMap<string>();
      const plain = new Map<bigint, string>();
      const base = 460_000_000_000_000_000n + BigInt(seed) * 1_000_003n;
      let next = base;
      for (let step = 0; step < 15_000; step++) {
        const r = prng.nextFloat();
        if (r < 0.6 || plain.size === 0) {
          next += BigInt(1 + Math.floor(prng.nextFloat() * 5));
          ids.set(next, `v${step}`);
          plain.set(next, `v${step}`);
        } else {
          const existing = base + BigInt(Math.floor(prng.nextFloat() * Number(next - base + 1n)));
          if (r < 0.8) {
            expect(ids.delete(existing)).to.equal(plain.delete(existing));
          } else {
            const had = plain.has(existing);
            expect(ids.has(existing)).to.equal(had);
            if (had) {
              ids.set(existing, `w${step}`);
              plain.set(existing, `w${step}`);
            }
          }
        }
        if (ids.size !== plain.size) expect.fail(`size ${ids.size} against ${plain.size} at step ${step}`);
      }
      for (const [id, value] of plain) expect(ids.get(id)).to.equal(value);
      expect(ids.get(next + 1n)).to.equal(undefined);
      expect(ids.has(base - 1n)).to.equal(false);
      // The order: by increasing ID here (each added with a larger ID than the ones before), as the Map's.
      const sorted = [...plain.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect([...ids.keys()]).to.deep.equal(sorted);
      expect(ids.valueArray()).to.deep.equal(sorted.map((id) => plain.get(id)));
      expect([...ids.values()]).to.deep.equal(ids.valueArray());
      expect(await ids.valueArrayPausing(async () => undefined)).to.deep.equal(ids.valueArray());
      // No block holds more than 4,096 IDs' entries, and an emptied block is gone.
      const blocks = (ids as unknown as { blocks: Map<bigint, Map<bigint, string>> }).blocks;
      expect(Math.max(...[...blocks.values()].map((b) => b.size))).to.be.at.most(4096);
      expect([...blocks.values()].every((b) => b.size > 0)).to.equal(true);
      ids.clear();
      expect(ids.size).to.equal(0);
      expect([...ids.keys()]).to.deep.equal([]);
    }
  });

  it('small and negative IDs, around block boundaries, with the block last used forgotten and remade', () => {
    const ids = new IdMap<number>();
    const plain = new Map<bigint, number>();
    const sample = [0n, 1n, 4095n, 4096n, 4097n, 8191n, -1n, -4096n, -4097n, 2n ** 63n, 2n ** 63n - 1n];
    for (const [i, id] of sample.entries()) {
      expect(ids.get(id), `${id} before`).to.equal(undefined);
      ids.set(id, i);
      plain.set(id, i);
    }
    for (const id of sample) expect(ids.get(id), String(id)).to.equal(plain.get(id));
    // Empty a block (the one last used), then use it and its neighbours again.
    expect(ids.delete(4096n)).to.equal(true);
    expect(ids.delete(4097n)).to.equal(true);
    expect(ids.delete(8191n)).to.equal(true);
    expect(ids.has(4096n)).to.equal(false);
    expect(ids.get(4095n)).to.equal(plain.get(4095n));
    ids.set(5000n, 99);
    expect(ids.get(5000n)).to.equal(99);
    expect(ids.get(0n)).to.equal(plain.get(0n));
    expect(ids.size).to.equal(sample.length - 3 + 1);
  });
});
