/**
 * The admin Digest compares replicas at one applied index: the digest and its index must describe the
 * same moment, also while entries are applied beside the call (it read memory, then the store, then
 * the index, with waits between, and reported replicas that agreed as different).
 */
import { expect } from 'chai';
import type { MetaCommand } from '../../src/meta/commands.js';
import { metaOver } from './fixtures/memory-catalog.js';

describe('MetaTable digest at an applied index', () => {
  it('is the digest of exactly that index while entries are applied beside it', async function () {
    this.timeout(60_000);
    const window = (n: number): MetaCommand => ({ kind: 'tsoWindow', windowMs: BigInt(n) });
    const a = await metaOver();
    const b = await metaOver();
    let n = 0;
    const applyNext = async (meta: Awaited<ReturnType<typeof metaOver>>, upTo: number): Promise<void> => {
      while (meta.appliedIndex < upTo) await meta.apply([window(meta.appliedIndex + 1)], meta.appliedIndex + 1);
    };
    await applyNext(a, 100);
    const taken = a.digestAtIndex();
    // Entries keep arriving while the digest is taken (as the apply chain goes on beside an admin call).
    for (n = 0; n < 200; n++) {
      await a.apply([window(a.appliedIndex + 1)], a.appliedIndex + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { digest, appliedIndex } = await taken;
    await applyNext(b, appliedIndex);
    expect(digest).to.equal(await b.digest());
  });

  it('a call while a digest is taken gets that digest; a restore waits for it as an apply does', async () => {
    const window = (n: number): MetaCommand => ({ kind: 'tsoWindow', windowMs: BigInt(n) });
    const source = await metaOver();
    for (let i = 1; i <= 50; i++) await source.apply([window(i)], i);
    const snapshot = await source.snapshot();
    const meta = await metaOver();
    for (let i = 1; i <= 10; i++) await meta.apply([window(i)], i);
    const first = meta.digestAtIndex();
    const second = meta.digestAtIndex();
    expect(second).to.equal(first);
    const restored = meta.restore(snapshot, 50);
    const { appliedIndex, digest } = await first;
    expect(appliedIndex).to.equal(10);
    await restored;
    expect(meta.appliedIndex).to.equal(50);
    expect(await meta.digest()).to.equal(await source.digest()).and.not.equal(digest);
  });
});

