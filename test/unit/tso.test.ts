/**
 * The TSO with an injected clock: it starts strictly above the persisted window, persists a new window
 * before issuing past it, and never goes backwards when the clock jumps back or forward.
 */
import { expect } from 'chai';
import { AssertionError } from '../../raft/assert.js';
import { physicalMs } from '../../src/common/hybrid-ts.js';
import { IdAllocator } from '../../src/tso/id-allocator.js';
import { Tso } from '../../src/tso/tso.js';

function fakeTso(startMs: bigint): { tso: Tso; clock: { now: bigint }; windows: bigint[] } {
  const clock = { now: startMs };
  const windows: bigint[] = [];
  const tso = new Tso({ nowMs: () => clock.now, persistWindow: async (w) => void windows.push(w), updateIntervalMs: 1_000_000 });
  return { tso, clock, windows };
}

describe('Tso', () => {
  it('a new leader starts strictly above the persisted window, even with a clock behind it', async () => {
    const { tso, windows } = fakeTso(1000n);
    await tso.start(5000n);
    const first = await tso.generate(1);
    expect(physicalMs(first)).to.equal(5001n);
    expect(windows).to.deep.equal([8001n]);
    tso.stop();
  });

  it('never goes backwards when the clock jumps back, and moves on when it jumps forward', async () => {
    const { tso, clock, windows } = fakeTso(10_000n);
    await tso.start(0n);
    const issued: bigint[] = [await tso.generate(5)];
    clock.now = 2_000n;
    await tso.update();
    issued.push(await tso.generate(1));
    clock.now = 20_000n;
    await tso.update();
    issued.push(await tso.generate(1));
    for (let i = 1; i < issued.length; i++) expect((issued[i] as bigint) > (issued[i - 1] as bigint)).to.equal(true);
    expect(physicalMs(issued[2] as bigint)).to.equal(20_000n);
    expect(windows[windows.length - 1]).to.equal(23_000n);
    for (const ts of issued) expect(physicalMs(ts) < (windows[windows.length - 1] as bigint)).to.equal(true);
    tso.stop();
  });

  it('asserts it never hands out a timestamp at or below the last one, even when restarted below it', async () => {
    const { tso, clock } = fakeTso(10_000n);
    await tso.start(0n);
    const issued = await tso.generate(1);
    tso.stop();
    // A caller error: a restart under a window below what this TSO has issued.
    clock.now = 1_000n;
    await tso.start(0n);
    let error: unknown = null;
    await tso.generate(1).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(AssertionError);
    expect(physicalMs(issued)).to.equal(10_000n);
    tso.stop();
  });

  it('refuses count 0 and refuses to issue when stopped', async () => {
    const { tso } = fakeTso(1n);
    await tso.start(0n);
    let error: unknown = null;
    await tso.generate(0).catch((e: unknown) => (error = e));
    expect((error as { code: number }).code).to.equal(1100);
    tso.stop();
    await tso.generate(1).catch((e: unknown) => (error = e));
    expect((error as { code: number }).code).to.equal(1);
  });

  it('the ID allocator starts at or above the persisted high-water mark and reserves before issuing', async () => {
    const marks: bigint[] = [];
    const ids = new IdAllocator({ nowMs: () => 0n, persistUpTo: async (u) => void marks.push(u), batch: 10n });
    await ids.start(1_000n);
    expect(await ids.alloc(4)).to.equal(1_000n);
    expect(await ids.alloc(10)).to.equal(1_004n);
    expect(marks).to.deep.equal([1_010n, 1_024n]);
  });
});
