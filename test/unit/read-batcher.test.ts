/** ReadBatcher shares rounds, but never lets a caller ride a round that started before it arrived. */
import { expect } from 'chai';
import { ReadBatcher } from '../../src/node/read-batcher.js';

describe('ReadBatcher', () => {
  it('callers during a round share the next one, which starts after they arrived', async () => {
    const started: number[] = [];
    const finishers: Array<() => void> = [];
    const batcher = new ReadBatcher(() => {
      started.push(started.length + 1);
      return new Promise<void>((resolve) => finishers.push(resolve));
    });
    const first = batcher.barrier();
    const second = batcher.barrier();
    const third = batcher.barrier();
    expect(started).to.deep.equal([1]);
    let secondDone = false;
    void second.then(() => {
      secondDone = true;
    });
    (finishers[0] as () => void)();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondDone, 'a caller that arrived during round 1 must wait for round 2').to.equal(false);
    expect(started).to.deep.equal([1, 2]);
    (finishers[1] as () => void)();
    await Promise.all([second, third]);
    expect(started).to.deep.equal([1, 2]);
    const fourth = batcher.barrier();
    expect(started).to.deep.equal([1, 2, 3]);
    (finishers[2] as () => void)();
    await fourth;
  });

  it('a failed round rejects its callers and the next caller starts afresh', async () => {
    let fail = true;
    const batcher = new ReadBatcher(() => (fail ? Promise.reject(new Error('lost')) : Promise.resolve()));
    let error: unknown = null;
    await batcher.barrier().catch((e: unknown) => {
      error = e;
    });
    expect((error as Error).message).to.equal('lost');
    fail = false;
    await batcher.barrier();
  });
});
