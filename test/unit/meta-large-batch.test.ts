/**
 * An applied entry may produce any number of catalog writes: a GC of a catalog with thousands of
 * dropped collections, or an expiry of many request IDs. They were appended with `push(...ops)`, which
 * throws RangeError past about 130,000 arguments; every replica applies the same entry, so every node
 * failed on it, and again after each restart.
 */
import { expect } from 'chai';
import type { MetaCommand } from '../../src/meta/commands.js';
import { metaOver } from './fixtures/memory-catalog.js';

describe('MetaTable with a very large batch of writes', () => {
  it('expires 200,000 request IDs in one entry', async function () {
    this.timeout(120_000);
    const meta = await metaOver();
    const count = 200_000;
    const perEntry = 10_000;
    for (let first = 0; first < count; first += perEntry) {
      // Each recorded request wraps a TSO window step (it must take effect to be recorded).
      const commands: MetaCommand[] = Array.from({ length: perEntry }, (_, i) => {
        const n = BigInt(first + i + 1);
        return { kind: 'request', requestId: `r${n}`, ts: n, command: { kind: 'tsoWindow', windowMs: n } };
      });
      await meta.apply(commands, meta.appliedIndex + commands.length);
    }
    expect(meta.requestTookEffect('r1')).to.equal(true);
    const [result] = await meta.apply([{ kind: 'expireRequests', beforeTs: BigInt(count + 1) }], meta.appliedIndex + 1);
    expect(result).to.deep.equal({ ok: true });
    expect(meta.requestTookEffect('r1')).to.equal(false);
    expect(meta.requestTookEffect(`r${count}`)).to.equal(false);
    await meta.flushed();
  });
});
