/**
 * StringMap keeps a map of strings as 256 Maps by a hash of the key (so that growing never copies a
 * table of all entries). It must answer as a Map does, and list every entry once.
 */
import { expect } from 'chai';
import { Prng } from '../../raft/prng.js';
import { StringMap } from '../../src/common/string-map.js';

describe('StringMap', () => {
  it('answers as a Map does through random sets, overwrites and deletes, and lists every entry once, deletes while listing included, and copies its columns', async () => {
    const prng = new Prng(7);
    const strings = new StringMap<number>();
    const plain = new Map<string, number>();
    // Names like a fill's, and others: empty, long, non-ASCII, surrogate pairs.
    const key = (): string => {
      const r = prng.nextFloat();
      if (r < 0.7) return `c${Math.floor(prng.nextFloat() * 5000)}`;
      if (r < 0.8) return '';
      if (r < 0.9) return 'x'.repeat(Math.floor(prng.nextFloat() * 300));
      return `名前-${Math.floor(prng.nextFloat() * 50)}-😀`;
    };
    for (let step = 0; step < 20_000; step++) {
      const k = key();
      if (prng.nextFloat() < 0.7) {
        strings.set(k, step);
        plain.set(k, step);
      } else if (strings.delete(k) !== plain.delete(k)) expect.fail(`delete ${k} at step ${step}`);
      if (strings.size !== plain.size) expect.fail(`size ${strings.size} against ${plain.size} at step ${step}`);
    }
    for (const [k, v] of plain) {
      expect(strings.get(k)).to.equal(v);
      expect(strings.has(k)).to.equal(true);
    }
    expect(strings.get('absent')).to.equal(undefined);
    const listed = [...strings].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    expect(listed).to.deep.equal([...plain].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    // The keys are spread: no bucket holds more than a few times its share.
    const buckets = (strings as unknown as { buckets: Array<Map<string, number>> }).buckets;
    expect(Math.max(...buckets.map((b) => b.size))).to.be.below((4 * strings.size) / buckets.length + 10);
    // Its columns are its entries, each value at its key's position.
    let pauses = 0;
    const { keys, values } = await strings.columns(async () => void pauses++);
    expect(keys.map((k, i) => [k, values[i]]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1))).to.deep.equal(listed);
    expect(pauses, 'a pause after each bucket').to.equal(buckets.length);
    // Deleting each entry as it is listed (as request expiry does) visits every one and leaves none.
    let visited = 0;
    for (const [k] of strings) {
      visited++;
      strings.delete(k);
    }
    expect(visited).to.equal(plain.size);
    expect(strings.size).to.equal(0);
    strings.set('a', 1);
    strings.clear();
    expect([...strings.entries()]).to.deep.equal([]);
  });
});
