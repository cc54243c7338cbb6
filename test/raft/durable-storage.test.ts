/**
 * The durable log survives restarts byte for byte, truncates a torn last record, refuses to start on
 * corruption before the tail (naming the file and offset), compacts through snapshots, and reopens
 * consistently after a crash at any point around a snapshot.
 */
import { expect } from 'chai';
import { appendFile, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage, SEGMENT_BYTES_MAX, StorageCorruptionError } from '../../raft/durable-storage.js';
import { nodeFileSystem } from '../../raft/file-system.js';
import { Prng } from '../../raft/prng.js';
import { RawNode } from '../../raft/raw-node.js';
import { bytesInMemory, SnapshotChecksumError, SnapshotFile, snapshotBytes } from '../../raft/snapshot-data.js';
import { EntryType } from '../../raft/types.js';
import type { Entry } from '../../raft/types.js';
import { encodeSnapshotFile, readRecord, RecordType } from '../../raft/wal-codec.js';
import { until } from '../rootcoord/until.js';
import { tempDirEach } from './fixtures/process-cluster.js';

function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ term, index: i, type: EntryType.Normal, data: new TextEncoder().encode(`e${i}t${term}`) });
  return out;
}

function tempDirFor(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

describe('DurableStorage', () => {
  const dir = tempDirEach('raft-durable-');

  async function segmentFiles(): Promise<string[]> {
    return (await readdir(dir())).filter((n) => n.startsWith('wal-')).sort();
  }

  /** Entries 1 to 5 of term 1 saved and the storage closed: the path of its one segment. */
  async function fiveEntrySegment(): Promise<string> {
    const a = await DurableStorage.open(dir());
    await a.save({ term: 1, vote: 0, commit: 0 }, entries(1, 5, 1), null);
    await a.close();
    const [segment] = await segmentFiles();
    return join(dir(), segment as string);
  }

  /** The error opening the directory fails with; fails the test if it opens. */
  async function refusal(): Promise<StorageCorruptionError> {
    const opened = await DurableStorage.open(dir()).then(
      async (storage) => {
        await storage.close();
        return null;
      },
      (error: unknown) => error,
    );
    expect(opened).to.be.instanceOf(StorageCorruptionError);
    return opened as StorageCorruptionError;
  }

  it('restores entries, hard state and the bootstrap membership after reopening', async () => {
    const a = await DurableStorage.open(dir());
    expect(a.isEmpty()).to.equal(true);
    await a.bootstrap([1, 2, 3]);
    await a.save({ term: 2, vote: 1, commit: 3 }, entries(4, 10, 2), null);
    await a.close();
    const b = await DurableStorage.open(dir());
    expect(b.isEmpty()).to.equal(false);
    expect(b.initialState().hardState).to.deep.equal({ term: 2, vote: 1, commit: 3 });
    expect(b.lastIndex()).to.equal(10);
    expect(b.entries(4, 11, Infinity)).to.deep.equal(entries(4, 10, 2));
    await b.close();
  });

  it('replays an overwritten suffix as the newer entries', async () => {
    const a = await DurableStorage.open(dir());
    await a.save({ term: 1, vote: 0, commit: 0 }, entries(1, 10, 1), null);
    await a.save({ term: 2, vote: 0, commit: 0 }, entries(6, 7, 2), null);
    await a.close();
    const b = await DurableStorage.open(dir());
    expect(b.lastIndex()).to.equal(7);
    expect(b.term(5)).to.equal(1);
    expect(b.term(7)).to.equal(2);
    await b.close();
  });

  it('an overwritten suffix stays void when a snapshot is taken at or before the end of the rewrite (found by simulator seed 901351)', async () => {
    // A follower holds an uncommitted log of term 1 up to 10; the leader of term 2 overwrites it from 6
    // to 7; the follower snapshots at 7 and crashes before writing any later entry. Replayed in order,
    // the old segment's 8..10 come after the snapshot, and the rewrite of 6..7 is all at or before it:
    // writing entry 6 voided 8..10 then, and must void them again on replay.
    for (const snapshotAt of [7, 6]) {
      const a = await DurableStorage.open(dir(), { segmentBytesMax: 100 });
      await a.save({ term: 1, vote: 0, commit: 0 }, entries(1, 10, 1), null);
      await a.save({ term: 2, vote: 0, commit: 7 }, entries(6, 7, 2), null);
      await a.createSnapshot(snapshotAt, { voters: [1, 2, 3], learners: [] }, new TextEncoder().encode('state'), 0);
      await a.close();
      const b = await DurableStorage.open(dir());
      expect(b.lastIndex(), `snapshot at ${snapshotAt}`).to.equal(7);
      expect(b.term(7)).to.equal(2);
      await b.close();
      await rm(dir(), { recursive: true, force: true });
      await mkdir(dir(), { recursive: true });
    }
    // Entries written after the rewrite stay: only what the rewrite voided goes.
    const a = await DurableStorage.open(dir(), { segmentBytesMax: 100 });
    await a.save({ term: 1, vote: 0, commit: 0 }, entries(1, 10, 1), null);
    await a.save({ term: 2, vote: 0, commit: 7 }, entries(6, 9, 2), null);
    await a.createSnapshot(7, { voters: [1, 2, 3], learners: [] }, new TextEncoder().encode('state'), 0);
    await a.save({ term: 2, vote: 0, commit: 7 }, entries(10, 11, 2), null);
    await a.close();
    const b = await DurableStorage.open(dir());
    expect(b.lastIndex()).to.equal(11);
    expect(b.entries(8, 12, Infinity)).to.deep.equal(entries(8, 11, 2));
    await b.close();
  });

  it('truncates a torn last record and logs it', async () => {
    const path = await fiveEntrySegment();
    const sizeBefore = (await stat(path)).size;
    await appendFile(path, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9]));
    const warnings: string[] = [];
    const b = await DurableStorage.open(dir(), { log: (_level, message) => warnings.push(message) });
    expect(b.lastIndex()).to.equal(5);
    expect(warnings.some((w) => w.includes('torn'))).to.equal(true);
    expect((await stat(path)).size).to.equal(sizeBefore);
    await b.close();
  });

  it('refuses, touching nothing, a bad last record while the log before it ends below the applied index (corruption, not a torn write)', async () => {
    const path = await fiveEntrySegment();
    // Cut the segment inside the record of entry 5 (what a lost tail of fsynced writes leaves): it reads
    // as a torn write, the only thing it can be...
    const whole = await readFile(path);
    let lastEntryAt = -1;
    for (let at = 0; at < whole.length; ) {
      const read = readRecord(whole, at);
      if (read.kind !== 'record') break;
      if (read.record.type === RecordType.Entry) lastEntryAt = at;
      at = read.next;
    }
    expect(lastEntryAt).to.be.above(0);
    const bytes = whole.subarray(0, lastEntryAt + 12);
    await writeFile(path, bytes);
    // ...unless the state machine applied entry 5, which it did only once the entry was durable.
    const opened = await DurableStorage.open(dir(), { appliedIndex: 5 }).then(
      async (storage) => {
        await storage.close();
        return null;
      },
      (error: unknown) => error,
    );
    expect(opened).to.be.instanceOf(StorageCorruptionError);
    expect((opened as StorageCorruptionError).message).to.match(/applied entries up to 5 and the log before this record ends at 4: not a torn write/);
    expect((opened as StorageCorruptionError).file).to.equal(path);
    expect((await readFile(path)).equals(bytes), 'the segment is left as it was').to.equal(true);
    // Applied only up to 4: a torn write of entry 5, truncated as before.
    const b = await DurableStorage.open(dir(), { appliedIndex: 4 });
    expect(b.lastIndex()).to.equal(4);
    await b.close();
  });

  it('refuses to open when a record before the tail is corrupt, naming the file and offset', async () => {
    const path = await fiveEntrySegment();
    const bytes = await readFile(path);
    bytes[60] = (bytes[60] as number) ^ 0xff;
    await writeFile(path, bytes);
    const error = await refusal();
    expect(error.file).to.equal(path);
    expect(error.message).to.match(/at offset \d+/);
  });

  it('refuses to open, touching nothing, when a length field in the middle of the newest segment runs past the end', async () => {
    const a = await DurableStorage.open(dir());
    const payload = 'x'.repeat(1300);
    for (let i = 1; i <= 3000; i += 100) {
      const batch = entries(i, i + 99, 1).map((e) => ({ ...e, data: new TextEncoder().encode(payload) }));
      await a.save({ term: 1, vote: 0, commit: i - 1 }, batch, null);
    }
    await a.close();
    const [segment] = await segmentFiles();
    const path = join(dir(), segment as string);
    const bytes = await readFile(path);
    // Walk to the 1500th record and make its length claim more than the rest of the file.
    let offset = 0;
    for (let n = 0; n < 1500; n++) {
      const read = readRecord(bytes, offset);
      if (read.kind !== 'record') throw new Error(`unexpected ${read.kind} at ${offset}`);
      offset = read.next;
    }
    bytes.writeUInt32LE(bytes.byteLength, offset);
    await writeFile(path, bytes);
    const error = await refusal();
    expect(error.file).to.equal(path);
    expect(error.offset).to.equal(offset);
    expect(error.message).to.include(path).and.include(`offset ${offset}`).and.match(/scripts\/cluster remove/);
    expect(await readFile(path)).to.deep.equal(bytes);
  });

  it('truncates a torn tail however it looks: a partial header, an overlong length, zeros, a bad checksum', async () => {
    const path = await fiveEntrySegment();
    const intact = await readFile(path);
    const partialRecord = entries(6, 6, 1).map((e) => e.data)[0] as Uint8Array;
    const lastRecord = intact.subarray(intact.byteLength - 33);
    const badChecksum = Buffer.from(lastRecord);
    badChecksum[20] = (badChecksum[20] as number) ^ 1;
    for (const tail of [Buffer.from([7, 0, 0]), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 1, ...partialRecord]), Buffer.alloc(4096), badChecksum]) {
      await writeFile(path, Buffer.concat([intact, tail]));
      const b = await DurableStorage.open(dir());
      expect(b.lastIndex()).to.equal(5);
      await b.close();
      expect((await readFile(path)).subarray(0, intact.byteLength)).to.deep.equal(intact);
      for (const name of (await segmentFiles()).slice(1)) await rm(join(dir(), name));
    }
  });

  it('compacts through a snapshot and deletes segments it no longer needs', async () => {
    const a = await DurableStorage.open(dir(), { segmentBytesMax: 200 });
    for (let i = 1; i <= 40; i += 4) await a.save({ term: 1, vote: 0, commit: i + 3 }, entries(i, i + 3, 1), null);
    const before = (await segmentFiles()).length;
    await a.createSnapshot(36, { voters: [1, 2, 3], learners: [] }, new TextEncoder().encode('state@36'), 2);
    expect((await segmentFiles()).length).to.be.below(before);
    expect(a.firstIndex()).to.equal(35);
    await a.close();
    const b = await DurableStorage.open(dir());
    expect(b.snapshot().metadata).to.deep.equal({ index: 36, term: 1, confState: { voters: [1, 2, 3], learners: [] } });
    expect(new TextDecoder().decode(bytesInMemory(b.snapshot().data))).to.equal('state@36');
    expect(b.lastIndex()).to.equal(40);
    expect(b.entries(37, 41, Infinity)).to.deep.equal(entries(37, 40, 1));
    await b.close();
  });

  it('by default keeps, after a snapshot, about one segment more than the entries it keeps (what a restart reads)', async () => {
    // 20 MiB of entries with the default segment size, then a snapshot of all but the last 1,000.
    const a = await DurableStorage.open(dir());
    const payload = new Uint8Array(2000).fill(7);
    const perSave = 100;
    let index = 0;
    for (let save = 0; save < 100; save++) {
      const batch: Entry[] = [];
      for (let i = 0; i < perSave; i++) batch.push({ term: 1, index: ++index, type: EntryType.Normal, data: payload });
      await a.save({ term: 1, vote: 0, commit: index }, batch, null);
    }
    await a.createSnapshot(index, { voters: [1], learners: [] }, new TextEncoder().encode('state'), 1000);
    await a.close();
    let bytes = 0;
    for (const name of await segmentFiles()) bytes += (await stat(join(dir(), name))).size;
    // The 1,000 kept entries are about 2 MB; a start reads them and at most one segment's more.
    expect(bytes).to.be.below(2_100_000 + SEGMENT_BYTES_MAX);
    const b = await DurableStorage.open(dir());
    expect(b.snapshot().metadata.index).to.equal(index);
    expect(b.lastIndex()).to.equal(index);
    await b.close();
  });

  it('keeps a big snapshot in its file: written in pieces as they come, sent and restored from there, checked when reopened', async () => {
    const bytes = Buffer.from(new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 253));
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.byteLength; at += 300_000) yield bytes.subarray(at, at + 300_000);
    }
    const a = await DurableStorage.open(dir());
    await a.save({ term: 1, vote: 0, commit: 40 }, entries(1, 40, 1), null);
    const recorded = await a.createSnapshot(36, { voters: [1, 2, 3], learners: [] }, pieces(), 2);
    expect(recorded.data).to.be.instanceOf(SnapshotFile);
    expect(Buffer.from(await snapshotBytes(a.snapshot().data)).equals(bytes)).to.equal(true);
    await a.close();
    const b = await DurableStorage.open(dir());
    expect(b.snapshot().metadata.index).to.equal(36);
    expect(b.snapshot().data).to.be.instanceOf(SnapshotFile);
    expect(Buffer.from(await snapshotBytes(b.snapshot().data)).equals(bytes)).to.equal(true);
    // A snapshot received into a file (another storage's) is copied into this one's own file.
    const other = tempDirFor('raft-durable-received-');
    try {
      const c = await DurableStorage.open(other);
      await c.save({ term: 2, vote: 0, commit: 36 }, [], b.snapshot());
      expect((c.snapshot().data as SnapshotFile).path.startsWith(other)).to.equal(true);
      await c.close();
      const d = await DurableStorage.open(other);
      expect(Buffer.from(await snapshotBytes(d.snapshot().data)).equals(bytes)).to.equal(true);
      // Changed on disk after it was checked at open: reading it whole (to send, copy or restore) refuses it.
      const stored = d.snapshot().data as SnapshotFile;
      const handle = await open(stored.path, 'r+');
      await handle.write(Buffer.from([0x5a ^ (bytes[1000] as number)]), 0, 1, stored.offset + 1000);
      await handle.close();
      expect(await snapshotBytes(stored).then(() => null, (error: unknown) => error)).to.be.instanceOf(SnapshotChecksumError);
      await d.close();
      // One byte changed in the middle of the data: the checksum, read a piece at a time, refuses the file
      // (and a log reset to that snapshot then refuses to open, rather than start without its state).
      const name = (await readdir(other)).find((n) => n.endsWith('.snap')) as string;
      const file = await readFile(join(other, name));
      file.writeUInt8((file.readUInt8(file.byteLength >> 1) ^ 0xff), file.byteLength >> 1);
      await writeFile(join(other, name), file);
      const warnings: string[] = [];
      const opened = await DurableStorage.open(other, { log: (_level, message) => warnings.push(message) }).then((e) => e.close(), (error: unknown) => error);
      expect(opened).to.be.instanceOf(StorageCorruptionError);
      expect(warnings).to.include('skipping a snapshot file that fails its checksum');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    // Opened for a send, it stays readable when compaction removes the file (two later snapshots).
    const sending = await (b.snapshot().data as SnapshotFile).open();
    await b.createSnapshot(38, { voters: [1, 2, 3], learners: [] }, null, 2);
    await b.createSnapshot(40, { voters: [1, 2, 3], learners: [] }, null, 2);
    expect((await readdir(dir())).filter((n) => n.startsWith('snap-0000000000000024'))).to.deep.equal([]);
    expect((await sending.read(0, bytes.byteLength)).equals(bytes)).to.equal(true);
    await sending.close();
    await b.close();
  });

  it('refuses a snapshot file cut short inside its last piece (it never reads as whole)', async () => {
    const bytes = Buffer.from(new Uint8Array(2.5 * 1024 * 1024).map((_, i) => (i * 13) % 251));
    const path = join(dir(), 'cut.snap');
    await writeFile(path, bytes.subarray(0, bytes.byteLength - 200_000));
    for (const check of [null, { seed: 0, expected: 1 }]) {
      const failure = await snapshotBytes(new SnapshotFile(nodeFileSystem, path, 0, bytes.byteLength, check)).then(() => null, (error: unknown) => error);
      expect(String(failure)).to.match(/ends at 2421440 of its 2621440 bytes/);
    }
  });

  it('an installed snapshot discards the conflicting log, also after reopening', async () => {
    const a = await DurableStorage.open(dir());
    await a.save({ term: 1, vote: 0, commit: 2 }, entries(1, 8, 1), null);
    const snapshot = { metadata: { index: 5, term: 3, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array([1]) };
    await a.save({ term: 3, vote: 0, commit: 5 }, entries(6, 6, 3), snapshot);
    expect(a.lastIndex()).to.equal(6);
    await a.close();
    const b = await DurableStorage.open(dir());
    expect(b.snapshot().metadata.index).to.equal(5);
    expect(b.lastIndex()).to.equal(6);
    expect(b.term(6)).to.equal(3);
    await b.close();
  });

  it('a snapshot recorded beside the Ready loop never writes the log at the same time as a save (a newer vote is never overwritten)', async () => {
    // A file system whose next append write is held back, as a late libuv pool thread would hold it.
    let holdNext = false;
    let release: () => void = () => {};
    const fs = Object.create(nodeFileSystem) as typeof nodeFileSystem;
    fs.openAppend = async (path: string, dsync: boolean) => {
      const file = await nodeFileSystem.openAppend(path, dsync);
      return {
        writeAt: (position: number, data: Buffer) => file.writeAt(position, data),
        write: async (data: Buffer) => {
          if (holdNext) {
            holdNext = false;
            await new Promise<void>((resolve) => (release = resolve));
          }
          return file.write(data);
        },
        sync: () => file.sync(),
        truncate: (length: number) => file.truncate(length),
        close: () => file.close(),
      };
    };
    const storage = await DurableStorage.open(dir(), { fs });
    await storage.bootstrap([1, 2, 3]);
    await storage.save({ term: 5, vote: 2, commit: 3 }, entries(4, 5, 5), null, true);
    await storage.save({ term: 5, vote: 2, commit: 5 }, [], null, false); // commit only: waits in memory
    holdNext = true; // the snapshot's write of that waiting hard state is held
    const snapshot = storage.createSnapshot(5, { voters: [1, 2, 3], learners: [] }, new Uint8Array([9]), 1000);
    await until("the snapshot's write held", () => !holdNext);
    const vote = storage.save({ term: 6, vote: 3, commit: 5 }, [], null, true); // the Ready loop votes in term 6
    // Time for the vote to reach the log beside the held write if the storage let it (nothing to poll for).
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await Promise.all([snapshot, vote]);
    await storage.close();
    const reopened = await DurableStorage.open(dir());
    expect(reopened.initialState().hardState).to.deep.include({ term: 6, vote: 3 });
    await reopened.close();
  });

  describe('after a crash around a snapshot', () => {
    const confState = { voters: [1, 2, 3], learners: [] };
    /** The core refuses a storage whose hard state contradicts its log (commit below the snapshot, ...). */
    function startCore(storage: DurableStorage, applied: number): RawNode {
      return new RawNode({ id: 1, electionTicks: 10, heartbeatTicks: 1, random: new Prng(1), applied }, storage);
    }
    /**
     * Entries 1 to 20 of term 2, then a crash just after a snapshot from the leader at 15 (in `term`)
     * was renamed into place, before the log recorded the reset; reopened.
     */
    async function reopenAfterSnapshotPlaced(term: number): Promise<DurableStorage> {
      const a = await DurableStorage.open(dir());
      await a.save({ term: 2, vote: 1, commit: 10 }, entries(1, 20, 2), null);
      await a.abandon();
      const hex = (n: number): string => n.toString(16).padStart(16, '0');
      await writeFile(join(dir(), `snap-${hex(15)}-${hex(term)}.snap`), encodeSnapshotFile({ index: 15, term, confState }, new Uint8Array([15])));
      return DurableStorage.open(dir());
    }

    it('reopens after a crash just after createSnapshot while a commit-only hard state was deferred', async () => {
      const a = await DurableStorage.open(dir());
      await a.save({ term: 1, vote: 1, commit: 1 }, entries(1, 11, 1), null);
      await a.save({ term: 1, vote: 1, commit: 11 }, [], null, false);
      await a.createSnapshot(11, confState, new TextEncoder().encode('state@11'), 100);
      await a.abandon();
      const b = await DurableStorage.open(dir());
      expect(b.snapshot().metadata.index).to.equal(11);
      expect(b.initialState().hardState.commit).to.be.at.least(11);
      expect(() => startCore(b, 11)).not.to.throw();
      await b.close();
    });

    it('reopens after a crash between placing a snapshot from the leader and recording the log reset', async () => {
      // Entries 16 to 20 of term 2 conflict with the leader's snapshot at 15 in term 3.
      const b = await reopenAfterSnapshotPlaced(3);
      expect(b.snapshot().metadata).to.deep.equal({ index: 15, term: 3, confState });
      expect(b.lastIndex(), 'the conflicting entries after the snapshot are void').to.equal(15);
      const { hardState } = b.initialState();
      expect(hardState.commit).to.equal(15);
      expect(hardState.term).to.be.at.least(3);
      expect(() => startCore(b, 15)).not.to.throw();
      await b.close();
    });

    it('a reset to an earlier snapshot from the leader voids the old entries after a newer one whose reset was cut short (found in review)', async () => {
      // Entries 1 to 10 of term 1; the leader's snapshot at 6 in term 2 resets the log; then its snapshot
      // at 8 is renamed into place and the process dies before the log records that reset. The reset to
      // 6 voided 9 and 10 of term 1: they must not come back after snapshot 8.
      const a = await DurableStorage.open(dir());
      await a.save({ term: 1, vote: 0, commit: 3 }, entries(1, 10, 1), null);
      await a.save({ term: 2, vote: 0, commit: 6 }, [], { metadata: { index: 6, term: 2, confState }, data: new Uint8Array([6]) });
      await a.abandon();
      const hex = (n: number): string => n.toString(16).padStart(16, '0');
      await writeFile(join(dir(), `snap-${hex(8)}-${hex(2)}.snap`), encodeSnapshotFile({ index: 8, term: 2, confState }, new Uint8Array([8])));
      const b = await DurableStorage.open(dir());
      expect(b.snapshot().metadata.index).to.equal(8);
      expect(b.lastIndex(), 'nothing after the snapshot: 9 and 10 of term 1 were void').to.equal(8);
      expect(b.initialState().hardState.term).to.be.at.least(2);
      expect(() => startCore(b, 8)).not.to.throw();
      await b.close();
    });

    it('keeps the entries appended after such a reopen when it reopens again', async () => {
      const b = await reopenAfterSnapshotPlaced(3);
      await b.save({ term: 3, vote: 0, commit: 17 }, entries(16, 18, 3), null);
      await b.close();
      const c = await DurableStorage.open(dir());
      expect(c.lastIndex()).to.equal(18);
      expect(c.entries(16, 19, Infinity)).to.deep.equal(entries(16, 18, 3));
      expect(c.initialState().hardState).to.deep.equal({ term: 3, vote: 0, commit: 17 });
      await c.close();
    });

    it('keeps the log after a snapshot placed on a crash when the log holds the snapshot\'s last entry', async () => {
      const b = await reopenAfterSnapshotPlaced(2);
      expect(b.lastIndex()).to.equal(20);
      expect(b.entries(16, 21, Infinity)).to.deep.equal(entries(16, 20, 2));
      expect(b.initialState().hardState).to.deep.equal({ term: 2, vote: 1, commit: 15 });
      expect(() => startCore(b, 15)).not.to.throw();
      await b.close();
    });
  });
});
