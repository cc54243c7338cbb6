// A follower's lone log writes made on its own thread (DurableStorage.setInlineWrites): which writes go
// inline, which through the pool, and what a slow disk turns off.
import { expect } from 'chai';
import { DurableStorage, INLINE_WRITE_AFTER_MS, INLINE_WRITE_BYTES_MAX, INLINE_WRITE_PAUSE_MS, INLINE_WRITE_SLOW_MS } from '../../raft/durable-storage.js';
import { NodeFileSystem } from '../../raft/file-system.js';
import type { FileSystem, WritableFile } from '../../raft/file-system.js';
import { EntryType } from '../../raft/types.js';
import type { Entry } from '../../raft/types.js';
import { tempDirEach } from './fixtures/process-cluster.js';

function entries(from: number, to: number, term: number, bytes = 16): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ term, index: i, type: EntryType.Normal, data: new Uint8Array(bytes).fill(i & 0xff) });
  return out;
}

/** The real disk, with each log write counted by the way it went, and a clock the test moves (each write takes `writeMs`). */
function countingDisk(): { fs: FileSystem; clock: () => number; ways: string[]; setWriteMs: (ms: number) => void; advance: (ms: number) => void } {
  let now = 1_000;
  let writeMs = 0.2;
  const ways: string[] = [];
  const counted = (file: WritableFile): WritableFile => ({
    write: async (data) => {
      ways.push('pool');
      now += writeMs;
      await file.write(data);
    },
    writeNow: (data) => {
      ways.push('inline');
      now += writeMs;
      (file.writeNow as (data: Buffer) => void).call(file, data);
    },
    writeAt: (position, data) => file.writeAt(position, data),
    sync: () => file.sync(),
    truncate: (length) => file.truncate(length),
    close: () => file.close(),
  });
  const fs = new (class extends NodeFileSystem {
    override async openAppend(path: string, dsync: boolean): Promise<WritableFile> {
      return counted(await super.openAppend(path, dsync));
    }
  })();
  return {
    fs,
    clock: () => now,
    ways,
    setWriteMs: (ms) => {
      writeMs = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('DurableStorage inline writes (a follower\'s lone log writes)', () => {
  const dir = tempDirEach('raft-inline-');

  async function opened(disk: ReturnType<typeof countingDisk>, warnings: string[] = []): Promise<DurableStorage> {
    const storage = await DurableStorage.open(dir(), { fs: disk.fs, clock: disk.clock, log: (_level, message) => warnings.push(message) });
    disk.ways.length = 0;
    return storage;
  }

  it('writes a lone entry or hard state inline once a write was fast, and batches, snapshots and big entries through the pool', async () => {
    const disk = countingDisk();
    const storage = await opened(disk);
    storage.setInlineWrites(true);
    await storage.save({ term: 1, vote: 1, commit: 0 }, entries(1, 1, 1), null);
    await storage.save(null, entries(2, 2, 1), null);
    await storage.save({ term: 2, vote: 3, commit: 0 }, [], null);
    await storage.save(null, entries(3, 5, 2), null);
    await storage.save(null, entries(6, 6, 2, INLINE_WRITE_BYTES_MAX + 1), null);
    await storage.save(null, entries(7, 7, 2), null);
    await storage.save(null, [], { metadata: { index: 7, term: 2, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array([1, 2, 3]) });
    await storage.save(null, entries(8, 8, 2), null);
    // The open's own write (the segment's hard state) was fast, so the first lone write is inline.
    expect(disk.ways).to.deep.equal(['inline', 'inline', 'inline', 'pool', 'pool', 'inline', 'pool', 'inline']);
    expect(storage.inlineCounts).to.deep.equal({ writes: 5, pauses: 0 });
    await storage.close();
    // What was written inline is in the log like the rest.
    const reopened = await DurableStorage.open(dir());
    expect(reopened.lastIndex()).to.equal(8);
    // (The commit index is the snapshot's at least.)
    expect(reopened.initialState().hardState).to.deep.equal({ term: 2, vote: 3, commit: 7 });
    expect(reopened.entries(8, 9, Infinity)).to.deep.equal(entries(8, 8, 2));
    await reopened.close();
  });

  it('writes nothing inline while off (a leader, or --follower-log-writes pool)', async () => {
    const disk = countingDisk();
    const storage = await opened(disk);
    for (let i = 1; i <= 4; i++) await storage.save(null, entries(i, i, 1), null);
    storage.setInlineWrites(true);
    await storage.save(null, entries(5, 5, 1), null);
    storage.setInlineWrites(false);
    await storage.save(null, entries(6, 6, 1), null);
    expect(disk.ways).to.deep.equal(['pool', 'pool', 'pool', 'pool', 'inline', 'pool']);
    await storage.close();
  });

  it('sends the next lone write through the pool after a write slower than INLINE_WRITE_AFTER_MS, and inline again after a fast one', async () => {
    const disk = countingDisk();
    const storage = await opened(disk);
    storage.setInlineWrites(true);
    await storage.save(null, entries(1, 1, 1), null);
    disk.setWriteMs(INLINE_WRITE_AFTER_MS + 1);
    await storage.save(null, entries(2, 4, 1), null); // a busy disk: a batch's write was slow
    disk.setWriteMs(0.2);
    await storage.save(null, entries(5, 5, 1), null); // so this lone one goes through the pool, and is fast
    await storage.save(null, entries(6, 6, 1), null);
    expect(disk.ways).to.deep.equal(['inline', 'pool', 'pool', 'inline']);
    expect(storage.inlineCounts.pauses).to.equal(0);
    await storage.close();
  });

  it('turns inline writes off for INLINE_WRITE_PAUSE_MS after one slower than INLINE_WRITE_SLOW_MS, saying so', async () => {
    const disk = countingDisk();
    const warnings: string[] = [];
    const storage = await opened(disk, warnings);
    storage.setInlineWrites(true);
    await storage.save(null, entries(1, 1, 1), null);
    await storage.save(null, entries(2, 2, 1), null);
    disk.setWriteMs(INLINE_WRITE_SLOW_MS + 5);
    await storage.save(null, entries(3, 3, 1), null); // inline, and it stalled
    disk.setWriteMs(0.2);
    await storage.save(null, entries(4, 4, 1), null);
    disk.advance(INLINE_WRITE_PAUSE_MS - 100);
    await storage.save(null, entries(5, 5, 1), null); // still paused, though the last write was fast
    disk.advance(200);
    await storage.save(null, entries(6, 6, 1), null);
    expect(disk.ways).to.deep.equal(['inline', 'inline', 'inline', 'pool', 'pool', 'inline']);
    expect(storage.inlineCounts).to.deep.equal({ writes: 4, pauses: 1 });
    expect(warnings.filter((w) => w.includes('made inline was slow'))).to.have.length(1);
    await storage.close();
  });
});
