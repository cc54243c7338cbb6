import { join } from 'node:path';
import type { FileSystem, WritableFile } from './file-system.js';
import type { WireSnapshotChunk } from './message-codec.js';
import { SnapshotFile } from './snapshot-data.js';
import type { SnapshotData } from './snapshot-data.js';
import { MessageType } from './types.js';
import type { Message } from './types.js';

export interface SnapshotReceiverOptions {
  /** Where snapshots larger than `inMemoryBytesMax` are assembled; null: all in memory. */
  readonly dir: string | null;
  readonly fs: FileSystem;
  /** A snapshot up to this size is assembled in memory. */
  readonly inMemoryBytesMax: number;
  readonly log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  /**
   * A snapshot whose last chunk is in but that is not stored (written, closed) within this long is
   * dropped, and the peer's messages held behind it go on (default 10 s): a disk that never answers
   * must not hold a follower's appends for ever while its heartbeats, never held, keep it quiet.
   */
  readonly storeDeadlineMs?: number;
}

/** The connection a chunk came on, paused while the disk is behind. */
export interface ChunkSource {
  pause(): void;
  resume(): void;
}

/** Writes waiting for the disk before the connection stops being read, and fewer before it is read again. */
const WRITES_QUEUED_MAX = 8;
const WRITES_QUEUED_RESUME = 2;
/** The name of a snapshot being received, from peer `from`, the `n`th this process received. */
const RECEIVE_PATTERN = /^snapshot-from-\d+-\d+\.recv$/;
/** Deliveries held per peer (its snapshots being stored, what came after them); more messages are dropped (Raft sends them again). */
const HELD_MAX = 1024;
const STORE_DEADLINE_MS = 10_000;

/** A chunk that is not a snapshot's last settles nothing. */
const NOT_LAST_CHUNK = (): void => {};

/** A delivery waiting its turn: a snapshot being stored is not ready until stored (or dropped: `go` null). */
interface Turn {
  ready: boolean;
  go: (() => void) | null;
}

interface ReceiveFile {
  readonly path: string;
  /** The file as created (closed once, whatever happens). */
  readonly opened: Promise<WritableFile>;
  /** The writes so far, in order. */
  written: Promise<void>;
  queued: number;
  failed: boolean;
}

interface Assembly {
  readonly message: Message;
  readonly totalBytes: number;
  received: number;
  /** Small: the chunks in memory. */
  readonly chunks: Uint8Array[] | null;
  /** Large: the file they are written to, in order. */
  readonly file: ReceiveFile | null;
}

/**
 * Puts together the chunks of the snapshots peers send (tcp-transport.ts): a small one in memory, a
 * large one in a file, written as the chunks arrive (the connection is paused while the disk is
 * behind), so that receiving a snapshot of any size holds a few chunks in memory. The message is
 * delivered once every byte is in; its data is then a SnapshotFile, which the node releases once the
 * storage has its own copy (`release`). Files left by a process that stopped are removed at start.
 */
export class SnapshotReceiver {
  private readonly assemblies = new Map<number, Assembly>();
  /** Files received and delivered but not released yet, per peer, oldest first. */
  private readonly delivered = new Map<number, string[]>();
  private received = 0;
  /** Peers whose snapshot being received was dropped on a write error (until their next one starts). */
  private readonly failedFrom = new Set<number>();
  /**
   * Per peer, in the order it sent them: its snapshots whose last chunk is in but whose file is still
   * being written and closed, and what came after them (messages, snapshots). The head goes once ready.
   */
  private readonly turns = new Map<number, { queue: Turn[]; dropped: number }>();
  private closed = false;

  constructor(private readonly options: SnapshotReceiverOptions) {}

  /** Remove the snapshot files a previous process left half received or unreleased. */
  async start(): Promise<void> {
    const { dir, fs } = this.options;
    if (dir === null) return;
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) if (RECEIVE_PATTERN.test(name)) await fs.rm(join(dir, name));
  }

  /** One chunk from `from`; `deliver` gets the snapshot's message once all of it is in. */
  chunk(from: number, chunk: WireSnapshotChunk, source: ChunkSource, deliver: (m: Message) => void): void {
    let assembly = this.assemblies.get(from);
    if (chunk.offset === 0) {
      this.failedFrom.delete(from);
      if (assembly !== undefined) this.discard(assembly);
      assembly = this.begin(from, chunk);
      this.assemblies.set(from, assembly);
    }
    if (assembly === undefined || chunk.offset !== assembly.received || chunk.message.snapshot === null) {
      // The rest of a snapshot dropped after a write failed is dropped quietly.
      if (assembly === undefined && this.failedFrom.delete(from)) {
        this.failedFrom.add(from);
        return;
      }
      this.options.log('warn', 'dropped an out-of-order snapshot chunk', { from, offset: chunk.offset });
      if (assembly !== undefined) this.discard(assembly);
      this.assemblies.delete(from);
      return;
    }
    assembly.received += chunk.data.byteLength;
    const complete = assembly.received >= assembly.totalBytes;
    if (complete) this.assemblies.delete(from);
    if (assembly.chunks !== null) {
      assembly.chunks.push(chunk.data);
      if (complete) {
        const data = Buffer.concat(assembly.chunks);
        this.inTurn(from, { ready: true, go: () => this.deliverFrom(from, assembly, data, deliver) });
      }
      return;
    }
    this.write(from, assembly, chunk.data, source, complete ? deliver : null);
  }

  /**
   * Deliver a message from `from` in the order the peer sent it: after a snapshot of its that is still
   * being stored. A probe that overtook the snapshot before it reached the node was refused by a follower
   * without the snapshot's log, and the leader sent the whole snapshot again (a joiner at 60,000
   * collections received its 9.6 MB twice, docs/bench-runs/2026-12-04-s37-probes/).
   */
  inOrder(from: number, m: Message, deliver: (m: Message) => void): void {
    // A heartbeat carries no entries (and a commit index no higher than the follower's match): it goes
    // at once, so a follower whose snapshot is slow to store still hears its leader and calls no election.
    // Nothing held (the usual case): at once, with nothing allocated.
    if (m.type === MessageType.Heartbeat || !this.turns.has(from)) deliver(m);
    else this.inTurn(from, { ready: true, go: () => deliver(m) });
  }

  private inTurn(from: number, turn: Turn): void {
    const held = this.turns.get(from);
    if (held === undefined) {
      if (turn.ready) turn.go?.();
      else this.turns.set(from, { queue: [turn], dropped: 0 });
      return;
    }
    if (held.queue.length >= HELD_MAX && turn.ready) {
      if (held.dropped++ === 0) this.options.log('warn', 'dropping messages from a peer while its snapshot is being stored', { from, held: HELD_MAX });
      return;
    }
    held.queue.push(turn);
  }

  /** Deliver a peer's turns from the head up to the first snapshot not stored yet. */
  private drain(from: number): void {
    const held = this.turns.get(from);
    if (held === undefined) return;
    const queue = held.queue;
    // (A delivery may close the receiver: then the rest is not delivered.)
    while (this.turns.get(from) === held && queue.length > 0 && (queue[0] as Turn).ready) {
      const turn = queue.shift() as Turn;
      try {
        turn.go?.();
      } catch (error) {
        // What the node does with one message is not the stored snapshot's fate, nor the next message's.
        this.options.log('warn', 'could not hand a peer\'s message to the node', { from, error: String(error) });
      }
    }
    if (this.turns.get(from) === held && queue.length === 0) this.turns.delete(from);
  }

  /** A snapshot delivered earlier is stored elsewhere now: its received copy goes. */
  release(data: SnapshotData): void {
    if (!(data instanceof SnapshotFile)) return;
    for (const [from, paths] of this.delivered) {
      const at = paths.indexOf(data.path);
      if (at < 0) continue;
      paths.splice(at, 1);
      if (paths.length === 0) this.delivered.delete(from);
      void this.options.fs.rm(data.path).catch(() => undefined);
    }
  }

  /** Stop: snapshots being received are dropped, with their files. */
  close(): void {
    this.closed = true;
    for (const assembly of this.assemblies.values()) this.discard(assembly);
    this.assemblies.clear();
    this.turns.clear();
  }

  private begin(from: number, chunk: WireSnapshotChunk): Assembly {
    const { dir, fs, inMemoryBytesMax } = this.options;
    const base = { message: chunk.message, totalBytes: chunk.totalBytes, received: 0 };
    if (dir === null || chunk.totalBytes <= inMemoryBytesMax) return { ...base, chunks: [], file: null };
    const path = join(dir, `snapshot-from-${from}-${++this.received}.recv`);
    const opened = fs.create(path);
    opened.catch(() => undefined);
    return { ...base, chunks: null, file: { path, opened, written: opened.then(() => undefined), queued: 0, failed: false } };
  }

  private write(from: number, assembly: Assembly, data: Uint8Array, source: ChunkSource, deliver: ((m: Message) => void) | null): void {
    const file = assembly.file as NonNullable<Assembly['file']>;
    if (file.failed) return;
    // The last chunk: the snapshot takes its turn among the peer's deliveries, ready once stored.
    const settle = deliver === null ? NOT_LAST_CHUNK : this.storingTurn(from, assembly, file);
    file.queued++;
    if (file.queued === WRITES_QUEUED_MAX) source.pause();
    file.written = file.written.then(async () => (await file.opened).write(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
    file.written
      .then(async () => {
        file.queued--;
        if (file.queued === WRITES_QUEUED_RESUME) source.resume();
        if (deliver === null) return;
        if (!file.failed) await (await file.opened).close();
        if (file.failed || this.closed) {
          // Dropped (discard closes and removes it), or the receiver closed: not kept.
          settle(null);
          if (!file.failed) void this.options.fs.rm(file.path).catch(() => undefined);
          return;
        }
        const stored = new SnapshotFile(this.options.fs, file.path, 0, assembly.totalBytes);
        settle(() => this.deliverFrom(from, assembly, stored, deliver));
      })
      .catch((error: unknown) => {
        settle(null);
        if (file.failed) return;
        source.resume();
        this.options.log('warn', 'could not store a snapshot being received; it is dropped', { from, file: file.path, error: String(error) });
        if (this.assemblies.get(from) === assembly) {
          this.assemblies.delete(from);
          this.failedFrom.add(from);
        }
        this.discard(assembly);
      });
  }

  /**
   * A turn for a snapshot being stored, and how it settles: with its delivery once stored, or with none
   * (dropped: a write failed, the receiver closed, or not stored within the deadline). The turn goes
   * outside the file write's promise chain, whose errors drop the file.
   */
  private storingTurn(from: number, assembly: Assembly, file: ReceiveFile): (go: (() => void) | null) => void {
    const turn: Turn = { ready: false, go: null };
    this.inTurn(from, turn);
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const settle = (go: (() => void) | null): void => {
      clearTimeout(deadline);
      if (turn.ready) return;
      turn.ready = true;
      turn.go = go;
      queueMicrotask(() => this.drain(from));
    };
    const deadlineMs = this.options.storeDeadlineMs ?? STORE_DEADLINE_MS;
    deadline = setTimeout(() => {
      if (turn.ready) return;
      this.options.log('warn', 'a snapshot being received was not stored in time; it is dropped and the messages after it go on', { from, file: file.path, deadlineMs });
      settle(null);
      this.discard(assembly);
    }, deadlineMs);
    deadline.unref();
    return settle;
  }

  private deliverFrom(from: number, assembly: Assembly, data: SnapshotData, deliver: (m: Message) => void): void {
    const snapshot = assembly.message.snapshot;
    if (snapshot === null) return;
    if (data instanceof SnapshotFile) {
      // At most two unreleased files per peer: one the node may still be storing, and this one.
      const paths = this.delivered.get(from) ?? [];
      while (paths.length >= 2) void this.options.fs.rm(paths.shift() as string).catch(() => undefined);
      paths.push(data.path);
      this.delivered.set(from, paths);
    }
    deliver({ ...assembly.message, snapshot: { metadata: snapshot.metadata, data } });
  }

  /** Drop a snapshot being received: its file is closed (after the writes under way) and removed. */
  private discard(assembly: Assembly): void {
    const file = assembly.file;
    if (file === null || file.failed) return;
    file.failed = true;
    void file.written
      .catch(() => undefined)
      .then(async () => (await file.opened).close())
      .catch(() => undefined)
      .then(() => this.options.fs.rm(file.path))
      .catch(() => undefined);
  }
}
