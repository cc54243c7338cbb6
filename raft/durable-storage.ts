import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { assert } from './assert.js';
import { CORRUPT_MEMBER_RECOVERY } from './errors.js';
import { nodeFileSystem } from './file-system.js';
import type { FileSystem, WritableFile } from './file-system.js';
import { bootstrapEntries, MemoryIndexedStorage, MemoryStorage } from './memory-storage.js';
import { discardSource, SNAPSHOT_PIECE_BYTES, SnapshotFile, snapshotPieces } from './snapshot-data.js';
import type { SnapshotData, SnapshotSource } from './snapshot-data.js';
import type { LogStore } from './storage.js';
import { emptyHardState } from './types.js';
import type { ConfState, Entry, HardState, Snapshot, SnapshotMetadata } from './types.js';
import {
  decodeEntry,
  decodeHardState,
  decodeSnapshotFile,
  decodeSnapshotFileHead,
  decodeSnapshotReset,
  encodeEntry,
  encodeHardState,
  encodeSnapshotFileHead,
  encodeSnapshotReset,
  entryPosition,
  findValidRecord,
  readRecord,
  RecordType,
  SNAPSHOT_HEAD_BYTES_MAX,
  SnapshotFileCrc,
} from './wal-codec.js';

export class StorageCorruptionError extends Error {
  override name = 'StorageCorruptionError';
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`corrupt raft log ${file} at offset ${offset}: ${reason}. ${CORRUPT_MEMBER_RECOVERY}`);
  }
}

/**
 * The default segment size. etcd's 64 MB made a restart read (CRC-check and decode) a whole sealed
 * segment of up to 64 MB, though it keeps only the entries after its newest snapshot: at 200,000
 * collections about 0.5 s of a follower's Raft start went to one 50 MB segment, 400,000 entries of which
 * it kept none. Compaction deletes a segment once all its entries are at or before the compacted index
 * (the snapshot's, less the entries kept for slow followers), so with 4 MiB a start reads at most about
 * 4 MiB more than those entries; the cost is a new file (and a directory fsync) per 4 MiB written.
 */
export const SEGMENT_BYTES_MAX = 4 * 1024 * 1024;

export interface DurableStorageOptions {
  /**
   * Start a new segment file once the active one is larger than this (default SEGMENT_BYTES_MAX). A
   * start reads every segment that holds an entry after the compacted prefix whole, so the size bounds
   * what a restart reads of entries it then drops.
   */
  readonly segmentBytesMax?: number;
  /** Snapshot files kept on disk (the newest ones). */
  readonly snapshotsKept?: number;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  /** The file system under the storage: the real disk (default), or a simulated one in tests. */
  readonly fs?: FileSystem;
  /**
   * A snapshot's data up to this size is also kept in memory (1 MiB); a larger one is read from its
   * file when it is sent or restored, so its size costs disk, not memory.
   */
  readonly snapshotInMemoryBytesMax?: number;
  /**
   * The index the state machine has applied and stored (0: unknown). Its entries were durable in this
   * log before they were applied, so a bad record at the end of the newest segment while the log before
   * it ends below this index is corruption, not a torn write: the log is refused as it is
   * (StorageCorruptionError), not truncated.
   */
  readonly appliedIndex?: number;
  /**
   * Deliberately broken durability, for tests that prove the crash-point test and the simulators catch
   * each bug. Never set outside tests (no flag or configuration file reaches it).
   */
  readonly unsafe?: DurableStorageUnsafe;
}

export interface DurableStorageUnsafe {
  /** Log segments are written without O_DSYNC: save() resolves before its data is durable. */
  readonly skipFsync?: boolean;
  /** A snapshot file is renamed into place without fsyncing its data first (nor after). */
  readonly renameWithoutDataFsync?: boolean;
  /** The directory is not fsynced after a snapshot file is renamed into place. */
  readonly noDirFsyncAfterRename?: boolean;
  /** The directory is not fsynced after a new log segment is created. */
  readonly noDirFsyncForNewSegment?: boolean;
  /** A snapshot from the leader: the log records the reset to it before the snapshot file is written. */
  readonly resetBeforeSnapshotFile?: boolean;
  /** A torn tail is truncated without fsyncing the truncation. */
  readonly truncateWithoutFsync?: boolean;
}

interface Segment {
  readonly name: string;
  readonly seq: number;
  /** The highest entry index written to it (0 if none). */
  lastIndex: number;
}

/** Snapshots up to this size are kept in memory once written (option snapshotInMemoryBytesMax). */
const SNAPSHOT_IN_MEMORY_BYTES_MAX = 1024 * 1024;
const SEGMENT_PATTERN = /^wal-([0-9a-f]{16})\.log$/;
const SNAPSHOT_PATTERN = /^snap-([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;

function hex(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/**
 * The durable Raft storage: a write-ahead log in segment files plus snapshot files, with an in-memory
 * index (a MemoryStorage) that the core reads. Each `save()` is one synchronous-data write (group
 * commit). Every record carries a CRC32. On open, a torn write (a bad record at the end of the newest
 * segment with no valid record after it) is truncated and logged; any other bad record is corruption
 * and refuses to start with an error naming the file and offset, touching nothing.
 */
export class DurableStorage extends MemoryIndexedStorage implements LogStore {
  private active: WritableFile | null = null;
  private activeBytes = 0;
  private readonly segments: Segment[] = [];
  private hardState: HardState = emptyHardState;
  private readonly segmentBytesMax: number;
  private readonly snapshotsKept: number;
  private readonly snapshotInMemoryBytesMax: number;
  private readonly fs: FileSystem;
  private readonly unsafe: DurableStorageUnsafe;
  private readonly log: DurableStorageOptions['log'];
  private readonly appliedIndex: number;
  private deferred: Buffer[] = [];
  /** The log's operations, one at a time (see exclusive). */
  private logQueue: Promise<unknown> = Promise.resolve();
  /**
   * While replaying: the term of the entry at the snapshot's index in the log as written, or null when
   * the retained log does not hold that index (it ends before it, or was compacted through it).
   */
  private replayedTermAtSnapshot: number | null = null;

  private constructor(
    readonly dir: string,
    protected readonly memory: MemoryStorage,
    options: DurableStorageOptions,
  ) {
    super();
    this.segmentBytesMax = options.segmentBytesMax ?? SEGMENT_BYTES_MAX;
    this.snapshotsKept = options.snapshotsKept ?? 2;
    this.snapshotInMemoryBytesMax = options.snapshotInMemoryBytesMax ?? SNAPSHOT_IN_MEMORY_BYTES_MAX;
    this.fs = options.fs ?? nodeFileSystem;
    this.unsafe = options.unsafe ?? {};
    this.log = options.log;
    this.appliedIndex = options.appliedIndex ?? 0;
  }

  /** Open (or create) the storage in `dir`, replaying the newest snapshot and the log. */
  static async open(dir: string, options: DurableStorageOptions = {}): Promise<DurableStorage> {
    const memory = new MemoryStorage();
    const storage = new DurableStorage(dir, memory, options);
    const fs = storage.fs;
    // The log holds every replicated command (password hashes among them): for this user only, also
    // when the directory was made before.
    await fs.mkdirPrivate(dir);
    const names = await fs.readdir(dir);
    // A snapshot being written when the process died; the snapshot it would have become never counted.
    for (const name of names.filter((n) => n.endsWith('.snap.tmp'))) await fs.rm(join(dir, name));
    const snapshot = await storage.loadNewestSnapshot(names);
    if (snapshot !== null) {
      memory.applySnapshot(snapshot);
      storage.dataInStateMachine = snapshot.dataInStateMachine;
    }
    const segmentNames = names.filter((n) => SEGMENT_PATTERN.test(n)).sort();
    for (let i = 0; i < segmentNames.length; i++) {
      await storage.replaySegment(segmentNames[i] as string, i === segmentNames.length - 1);
    }
    const reset = storage.reconcileWithSnapshot();
    memory.setHardState(storage.hardState);
    await storage.openNewSegment();
    // Record the reset the install never did, or the next replay would void what is appended from now on.
    if (reset) await storage.write(encodeSnapshotReset(memory.snapshot().metadata.index, memory.snapshot().metadata.term));
    return storage;
  }

  /**
   * Make the replayed state agree with the newest snapshot whatever moment the process died at. A snapshot
   * file is durable before the log records anything about it, so the log may lag it:
   * - a snapshot holds only committed state, so the commit index is at least its index (a commit-only
   *   hard state waits in memory and may have been lost);
   * - a snapshot from the leader whose log reset was never recorded: the entries after it that were
   *   written in another term at its index conflict with it and are void, as the reset would have made
   *   them; the term is at least the snapshot's (the hard state that came with it was lost).
   * True if the log must now record the reset.
   */
  private reconcileWithSnapshot(): boolean {
    const { index, term } = this.memory.snapshot().metadata;
    if (index === 0) return false;
    const reset = this.replayedTermAtSnapshot !== null && this.replayedTermAtSnapshot !== term;
    if (reset) {
      this.log?.('warn', 'discarding log entries that conflict with a snapshot whose install was cut short', {
        dir: this.dir,
        snapshotIndex: index,
        entries: this.memory.lastIndex() - index,
      });
      this.memory.truncateAfterSnapshot();
    }
    const hs = this.hardState;
    if (hs.commit < index || hs.term < term) {
      this.hardState = { term: Math.max(hs.term, term), vote: hs.term >= term ? hs.vote : 0, commit: Math.max(hs.commit, index) };
    }
    return reset;
  }

  private async loadNewestSnapshot(names: string[]): Promise<(Snapshot & { dataInStateMachine: boolean }) | null> {
    const snapshots = names.filter((n) => SNAPSHOT_PATTERN.test(n)).sort().reverse();
    for (const name of snapshots) {
      const path = join(this.dir, name);
      const decoded = (await this.fs.size(path)) <= this.snapshotInMemoryBytesMax + SNAPSHOT_HEAD_BYTES_MAX ? decodeSnapshotFile(await this.fs.readFile(path)) : await this.checkedSnapshotFile(path);
      if (decoded !== null) return decoded;
      // A snapshot is written to a temporary file and renamed, so a bad one means the disk lied.
      this.log?.('warn', 'skipping a snapshot file that fails its checksum', { file: name });
    }
    return null;
  }

  /** A big snapshot file whose checksum holds (read a piece at a time), its data left in the file; null if it fails. */
  private async checkedSnapshotFile(path: string): Promise<(Snapshot & { dataInStateMachine: boolean }) | null> {
    const size = await this.fs.size(path);
    const file = await this.fs.openRead(path);
    let start: Buffer;
    let crc: SnapshotFileCrc;
    try {
      start = await file.read(0, Math.min(size, 8 + SNAPSHOT_HEAD_BYTES_MAX));
      if (start.byteLength < 8) return null;
      // The checksum covers everything after itself: checked first, so the head is parsed only when whole.
      crc = new SnapshotFileCrc(start.subarray(0, 4));
      for (let at = 4; at < size; at += SNAPSHOT_PIECE_BYTES) {
        const piece = await file.read(at, SNAPSHOT_PIECE_BYTES);
        if (piece.byteLength === 0) return null;
        crc.update(piece);
        await yieldToLoop();
      }
    } finally {
      await file.close();
    }
    if (!crc.bytes().equals(start.subarray(0, 4))) return null;
    const head = decodeSnapshotFileHead(start);
    if (head === null) return null;
    // Checked again whenever it is read whole (sent, copied, restored): the disk may change it later.
    const check = { seed: new SnapshotFileCrc(start.subarray(0, head.dataOffset)).current, expected: crc.current };
    return { metadata: head.metadata, data: new SnapshotFile(this.fs, path, head.dataOffset, size - head.dataOffset, check), dataInStateMachine: head.dataInStateMachine };
  }

  private async replaySegment(name: string, isLast: boolean): Promise<void> {
    const path = join(this.dir, name);
    const data = await this.fs.readFile(path);
    const segment: Segment = { name, seq: Number.parseInt((SEGMENT_PATTERN.exec(name) as RegExpExecArray)[1] as string, 16), lastIndex: 0 };
    this.segments.push(segment);
    let offset = 0;
    for (;;) {
      const read = readRecord(data, offset);
      if (read.kind === 'end') return;
      if (read.kind === 'bad') {
        // Only the newest segment was being written when the process died, and a torn write is the last
        // thing in it: a valid record after the bad one means the bad one is corruption.
        if (!isLast) throw new StorageCorruptionError(path, offset, `${read.reason} in a sealed segment`);
        const valid = findValidRecord(data, offset + 1);
        if (valid !== -1) throw new StorageCorruptionError(path, offset, `${read.reason}, and a valid record follows at offset ${valid}`);
        // A torn write holds nothing that was applied (entries are applied once durable).
        const replayed = this.memory.lastIndex();
        if (this.appliedIndex > replayed) {
          throw new StorageCorruptionError(path, offset, `${read.reason}, but the state machine has applied entries up to ${this.appliedIndex} and the log before this record ends at ${replayed}: not a torn write (left as it is)`);
        }
        this.log?.('warn', 'truncating a torn write at the end of the raft log', { file: path, offset, bytes: data.byteLength - offset, reason: read.reason });
        const file = await this.fs.openExisting(path);
        try {
          await file.truncate(offset);
          // Durable before anything is appended after it: else the torn tail may come back in a sealed segment.
          if (this.unsafe.truncateWithoutFsync !== true) await file.sync();
        } finally {
          await file.close();
        }
        return;
      }
      this.replayRecord(read.record.type, read.record.payload, segment, path, offset);
      offset = read.next;
    }
  }

  private replayRecord(type: RecordType, payload: Buffer, segment: Segment, path: string, offset: number): void {
    const memory = this.memory;
    switch (type) {
      case RecordType.HardState:
        this.hardState = decodeHardState(payload);
        return;
      case RecordType.SnapshotReset: {
        const { index } = decodeSnapshotReset(payload);
        const base = memory.snapshot().metadata;
        if (index > base.index) throw new StorageCorruptionError(path, offset, `log reset to snapshot ${index}, but the newest snapshot file is ${base.index}`);
        // The reset voided the whole log, so also what was replayed after the newest snapshot, when the
        // reset is to an older one (the newer's own reset cut short by a crash: found in review, as the
        // entry case below by a simulator seed).
        memory.truncateAfterSnapshot();
        this.replayedTermAtSnapshot = index === base.index ? base.term : null;
        return;
      }
      case RecordType.Entry: {
        const { index, term } = entryPosition(payload);
        segment.lastIndex = Math.max(segment.lastIndex, index);
        // Writing entry i replaces the log from i on.
        const base = memory.snapshot().metadata.index;
        if (index < base) this.replayedTermAtSnapshot = null;
        if (index === base) this.replayedTermAtSnapshot = term;
        if (index <= base) {
          // Writing it replaced the log from it on, so entries after the snapshot replayed from older
          // segments are void: a follower's long log overwritten by a shorter one, a snapshot at or before
          // the rewrite's end, a crash before a later entry (simulator seed 901351: they came back, and
          // the member voted for a candidate missing a committed entry).
          if (memory.lastIndex() > base) memory.truncateAfterSnapshot();
          // Not decoded (its data copied) when the snapshot holds it: most of what a start reads.
          return;
        }
        if (index > memory.lastIndex() + 1) {
          throw new StorageCorruptionError(path, offset, `entry ${index} leaves a gap after ${memory.lastIndex()}`);
        }
        memory.append([decodeEntry(payload)]);
        return;
      }
    }
  }

  private async openNewSegment(): Promise<void> {
    const seq = (this.segments[this.segments.length - 1]?.seq ?? 0) + 1;
    const name = `wal-${hex(seq)}.log`;
    await this.active?.close();
    this.active = await this.fs.openAppend(join(this.dir, name), this.unsafe.skipFsync !== true);
    this.segments.push({ name, seq, lastIndex: 0 });
    this.activeBytes = 0;
    // Every segment starts with the current hard state, so older segments can be deleted freely.
    await this.write(encodeHardState(this.hardState));
    if (this.unsafe.noDirFsyncForNewSegment !== true) await this.fs.syncDir(this.dir);
  }

  /**
   * Append to the active segment. The segment is opened with O_DSYNC, so a write returns only once its
   * data is durable: one system call per batch instead of a write and an fdatasync. Records that need
   * no durability of their own (a commit-only hard state) wait in memory and ride on the next write.
   */
  private async write(buffer: Buffer, sync = true): Promise<void> {
    assert(this.active !== null, 'write to a closed storage');
    if (!sync) {
      this.deferred.push(buffer);
      return;
    }
    const data = this.deferred.length === 0 ? buffer : Buffer.concat([...this.deferred, buffer]);
    this.deferred = [];
    await this.active.write(data);
    this.activeBytes += data.byteLength;
  }

  /**
   * Persist one Ready's worth of state with a single synchronous-data write. A snapshot from the leader is
   * written to its own file first; the log then records that it was reset to it. With `sync` false (a
   * Ready that only moved the commit index, which Raft may lose) the write is not fsynced itself; the
   * next synced write carries it.
   */
  save(hardState: HardState | null, entries: readonly Entry[], snapshot: Snapshot | null, sync = true): Promise<void> {
    return this.exclusive(() => this.saveNow(hardState, entries, snapshot, sync));
  }

  /**
   * Run `work` alone on the log: writes to the active segment, its rotation and the deletion of old files
   * happen one after another, never interleaved. (A snapshot recorded beside the Ready loop wrote a
   * waiting hard state while the loop saved a newer vote; the two writes could land in either order,
   * and a restart could forget the vote.)
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.logQueue.then(work);
    this.logQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async saveNow(hardState: HardState | null, entries: readonly Entry[], snapshot: Snapshot | null, sync: boolean): Promise<void> {
    const parts: Buffer[] = [];
    if (snapshot !== null) {
      if (this.unsafe.resetBeforeSnapshotFile === true) await this.write(encodeSnapshotReset(snapshot.metadata.index, snapshot.metadata.term));
      snapshot = { metadata: snapshot.metadata, data: await this.writeSnapshotFile(snapshot.metadata, snapshot.data) };
      if (this.unsafe.resetBeforeSnapshotFile !== true) parts.push(encodeSnapshotReset(snapshot.metadata.index, snapshot.metadata.term));
    }
    for (const entry of entries) parts.push(encodeEntry(entry));
    if (hardState !== null) parts.push(encodeHardState(hardState));
    if (parts.length === 0) return;
    await this.write(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), sync || snapshot !== null || entries.length > 0);
    const segment = this.segments[this.segments.length - 1] as Segment;
    const last = entries[entries.length - 1];
    if (last !== undefined) segment.lastIndex = Math.max(segment.lastIndex, last.index);
    if (snapshot !== null) this.installSnapshot(snapshot);
    this.memory.append(entries);
    if (hardState !== null) {
      this.hardState = hardState;
      this.memory.setHardState(hardState);
    }
    if (this.activeBytes > this.segmentBytesMax) await this.openNewSegment();
  }

  /**
   * Write a snapshot's file and return its data as kept from now on: in memory if small, else in the
   * file just written (a snapshot from a state machine in pieces, or received into a file, never sits
   * in memory whole).
   */
  private async writeSnapshotFile(metadata: SnapshotMetadata, data: SnapshotSource | SnapshotData, dataInStateMachine = false): Promise<SnapshotData> {
    const { index, term } = metadata;
    const name = `snap-${hex(index)}-${hex(term)}.snap`;
    const path = join(this.dir, name);
    const temporary = `${path}.tmp`;
    const head = encodeSnapshotFileHead(metadata, dataInStateMachine);
    let file: WritableFile;
    try {
      file = await this.fs.create(temporary);
    } catch (error) {
      // A state machine's pieces not taken: its maker stops.
      if (!(data instanceof Uint8Array) && !(data instanceof SnapshotFile)) await discardSource(data).catch(() => undefined);
      throw error;
    }
    let bytes = 0;
    /** The checksum of the file's head, then of all of it: what the data must checksum to (SnapshotFile.check). */
    const seed = new SnapshotFileCrc(head).current;
    let expected = 0;
    /** A small snapshot's pieces, kept to hold it in memory (dropped once it is not small). */
    let small: Buffer[] | null = [];
    try {
      const crc = new SnapshotFileCrc(head);
      if (data instanceof Uint8Array) {
        // Checksummed, then written, a chunk at a time: a snapshot of hundreds of megabytes never holds
        // this thread (a Raft worker's: its heartbeats) for more than one chunk, and is never copied whole.
        const chunks: Buffer[] = [];
        for (let offset = 0; offset < data.byteLength; offset += SNAPSHOT_PIECE_BYTES) {
          const chunk = Buffer.from(data.buffer, data.byteOffset + offset, Math.min(SNAPSHOT_PIECE_BYTES, data.byteLength - offset));
          crc.update(chunk);
          chunks.push(chunk);
          if (chunks.length % 16 === 0) await yieldToLoop();
        }
        crc.bytes().copy(head, 0);
        await file.write(head);
        for (const chunk of chunks) await file.write(chunk);
        bytes = data.byteLength;
      } else {
        // Pieces as they come (from the state machine, or from a file): the head's checksum last.
        await file.write(head);
        for await (const piece of data instanceof SnapshotFile ? snapshotPieces(data) : data) {
          const chunk = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
          crc.update(chunk);
          await file.write(chunk);
          bytes += chunk.byteLength;
          if (small !== null) {
            if (bytes <= this.snapshotInMemoryBytesMax) small.push(chunk);
            else small = null;
          }
        }
        await file.writeAt(0, crc.bytes());
      }
      expected = crc.current;
      if (this.unsafe.renameWithoutDataFsync !== true) await file.sync();
    } catch (error) {
      // The pieces not written (a disk error) are not taken either: their maker stops (see discardSource).
      await file.close().catch(() => undefined);
      await this.fs.rm(temporary).catch(() => undefined);
      throw error;
    }
    await file.close();
    await this.fs.rename(temporary, path);
    if (this.unsafe.noDirFsyncAfterRename !== true) await this.fs.syncDir(this.dir);
    if (bytes <= this.snapshotInMemoryBytesMax) {
      if (data instanceof Uint8Array) return data;
      if (small !== null) return Buffer.concat(small);
    }
    return new SnapshotFile(this.fs, path, head.byteLength, bytes, { seed, expected });
  }

  /**
   * Record a snapshot of the host's state machine at `index` (applied), then drop log entries up to
   * `index - entriesKept` and the segment and snapshot files no longer needed.
   */
  async createSnapshot(index: number, confState: ConfState, source: SnapshotSource | null, entriesKept: number): Promise<Snapshot> {
    const term = this.memory.term(index);
    // The snapshot's own file is written beside the log (a save may run meanwhile); recording it and
    // compacting the log behind it happen alone on the log. Without data, the file records the index
    // only (a snapshot with data at the same index later replaces it, under the same name).
    const written = await this.writeSnapshotFile({ index, term, confState }, source ?? new Uint8Array(0), source === null);
    const data = source === null ? null : written;
    return this.exclusive(async () => {
      // The commit index the snapshot implies goes to disk (opening reconciles them either way).
      await this.flushDeferred();
      const snapshot = this.recordSnapshot(index, confState, data);
      const compactTo = Math.max(0, index - entriesKept);
      this.memory.compact(compactTo);
      await this.deleteObsoleteFiles(compactTo);
      return snapshot;
    });
  }

  private async deleteObsoleteFiles(compactedTo: number): Promise<void> {
    while (this.segments.length > 1 && (this.segments[0] as Segment).lastIndex <= compactedTo) {
      const segment = this.segments.shift() as Segment;
      await this.fs.rm(join(this.dir, segment.name));
    }
    const snapshots = (await this.fs.readdir(this.dir)).filter((n) => SNAPSHOT_PATTERN.test(n)).sort().reverse();
    for (const name of snapshots.slice(this.snapshotsKept)) await this.fs.rm(join(this.dir, name));
  }

  /** True for a brand-new data directory (nothing was ever persisted). */
  isEmpty(): boolean {
    return this.memory.lastIndex() === 0 && this.hardState.term === 0 && this.memory.snapshot().metadata.index === 0;
  }

  /** Write the initial membership of a new cluster (identically on every initial voter). */
  async bootstrap(voters: readonly number[]): Promise<void> {
    assert(this.isEmpty(), `bootstrap of a non-empty raft log in ${this.dir}`);
    const entries = bootstrapEntries(voters);
    await this.save({ term: 1, vote: 0, commit: entries.length }, entries, null);
  }

  private async flushDeferred(): Promise<void> {
    if (this.active !== null && this.deferred.length > 0) await this.write(Buffer.alloc(0));
  }

  /** Close without writing what still waits in memory, as a crash would (for tests). */
  async abandon(): Promise<void> {
    this.deferred = [];
    await this.close();
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.flushDeferred();
      await this.active?.close();
      this.active = null;
    });
  }
}
